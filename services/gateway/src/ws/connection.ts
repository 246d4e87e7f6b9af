import { WebSocket } from 'ws';
import { encode } from '@im/codec';
import type { ServerFrame } from '@im/protocol';
import { TokenBucket, WindowCounter } from '../rate-limit.js';

export interface ConnectionLimits {
  /** `event` frames a second; 0 means unlimited. */
  eventRate: number;
  /** Budget units a second for every other command (a burst of 10 s worth); 0 means unlimited. */
  commandRate: number;
  maxBufferedBytes: number;
  badFramesPerMinute: number;
  /** Requests a socket may have under way at once. */
  maxInFlight: number;
}

/** How long a closing socket may take to finish the handshake before it is dropped. */
const CLOSE_GRACE_MS = 2000;

let nextId = 1;

/**
 * One client socket and the little state it needs. Kept small on purpose: tens of
 * thousands of these live in one process. Rate limiters and subscriptions are created
 * only when first used.
 */
export class Connection {
  readonly id = nextId++;
  lastSeen: number;
  subscriptions: Set<string> | undefined;
  private bucket: TokenBucket | undefined;
  private commands: TokenBucket | undefined;
  private badFrames: WindowCounter | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private eventChain: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private corked = false;
  /** What was still unsent when this tick's first frame was written. */
  private tickBacklog = 0;
  private lastTyping: Map<string, number> | undefined;

  constructor(
    readonly ws: WebSocket,
    readonly userId: string,
    readonly sessionId: string,
    readonly expiresAt: number,
    private readonly limits: ConnectionLimits,
    now: number,
  ) {
    this.lastSeen = now;
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /**
   * Sends a frame: a reply, an ack or a push. A socket whose unsent data has passed the
   * bound cannot keep up, or stopped reading: it is dropped (it reconnects and syncs),
   * never waited for. Replies count like pushes: a client that asks and never reads must
   * not grow the gateway without bound. The backlog is checked before a frame is written
   * and again once the frames of a tick have been handed to the kernel.
   */
  send(bytes: Uint8Array): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    // Frames of this tick wait in the corked socket and count only once handed over.
    const backlog = this.corked ? this.tickBacklog : this.ws.bufferedAmount;
    if (backlog > this.limits.maxBufferedBytes) {
      this.drop();
      return;
    }
    this.write(bytes);
  }

  /** Drops the connection at once: a close frame would only queue behind the backlog. */
  private drop(): void {
    this.disarm();
    this.ws.terminate();
  }

  /**
   * Frames written to one socket in the same tick leave in one system call: the socket is
   * corked at the first and uncorked when the tick ends. A socket write is the gateway's
   * largest cost under load, and acks and pushes to one socket often come in bursts.
   */
  private write(bytes: Uint8Array): void {
    const socket = (this.ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    if (socket && !this.corked) {
      this.corked = true;
      this.tickBacklog = this.ws.bufferedAmount;
      socket.cork();
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
        // What the kernel did not take now is the socket's backlog: past the bound, drop it.
        if (this.ws.bufferedAmount > this.limits.maxBufferedBytes) this.drop();
      });
    }
    this.ws.send(bytes, { binary: true });
  }

  /** Sends a push; bounded like every other frame (see `send`). */
  push(bytes: Uint8Array): void {
    this.send(bytes);
  }

  /**
   * Runs steps of this socket one after another, so a client's events leave for the relay
   * in the order it sent them even when it does not wait for each ack. A step returns what
   * it issued (not awaited here), so the round trips themselves overlap.
   */
  inOrder<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.eventChain.then(fn, fn);
    this.eventChain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Counts a request in flight; false when the socket already has too many. */
  begin(): boolean {
    if (this.inFlight >= this.limits.maxInFlight) return false;
    this.inFlight++;
    return true;
  }

  end(): void {
    this.inFlight--;
  }

  sendFrame(frame: ServerFrame): void {
    this.send(encode(frame));
  }

  allowEvent(now: number): boolean {
    if (this.limits.eventRate === 0) return true;
    this.bucket ??= new TokenBucket(this.limits.eventRate, this.limits.eventRate * 2, now);
    return this.bucket.take(now);
  }

  /** Takes `cost` from the budget of commands other than `event`; false when it is spent. */
  allowCommand(cost: number, now: number): boolean {
    if (this.limits.commandRate === 0) return true;
    this.commands ??= new TokenBucket(this.limits.commandRate, this.limits.commandRate * 10, now);
    return this.commands.take(now, cost);
  }

  /** At most one typing event a second per conversation; extras are dropped. */
  allowTyping(conversationId: string, now: number): boolean {
    this.lastTyping ??= new Map();
    const last = this.lastTyping.get(conversationId);
    if (last !== undefined && now - last < 1000) return false;
    if (this.lastTyping.size > 256) this.lastTyping.clear();
    this.lastTyping.set(conversationId, now);
    return true;
  }

  /** Records a bad frame; true once there were too many in the last minute. */
  badFrame(now: number): boolean {
    this.badFrames ??= new WindowCounter(this.limits.badFramesPerMinute, 60_000);
    return this.badFrames.hit(now);
  }

  /** Closes the socket when its access token expires. */
  armExpiry(onExpire: () => void, now: number): void {
    const delay = Math.max(0, this.expiresAt - now);
    // setTimeout holds 32-bit delays; a token longer than ~24 days is re-armed later.
    this.expiryTimer = setTimeout(() => (this.expiresAt - Date.now() <= 0 ? onExpire() : this.armExpiry(onExpire, Date.now())), Math.min(delay, 0x7fffffff));
    this.expiryTimer.unref();
  }

  close(code: number, reason: string): void {
    this.disarm();
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close(code, reason);
      // A client that ignores the close frame is dropped.
      const ws = this.ws;
      setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
    }
  }

  disarm(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
  }
}
