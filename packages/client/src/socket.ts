import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { decode, encode } from '@im/codec';
import { Kind, type Ack, type CommandName, type CommandResults, type CommandData, type ErrorBody, type ImEvent, type Notice, type Tag } from '@im/protocol';
import { ImError } from './errors.js';

export interface ServerMessage {
  cmd: string;
  id?: number;
  data?: unknown;
}

interface Pending {
  resolve: (data: unknown) => void;
  reject: (err: unknown) => void;
  timer: NodeJS.Timeout;
}

export interface ConnectOptions {
  /** Send the token as an Authorization header instead of the query string. */
  useHeader?: boolean;
  requestTimeoutMs?: number;
}

/**
 * The largest server frame the SDK decodes: a stored event may encode to 4 × the client
 * frame limit (contract 3.4), and a push or sync reply wraps it. Larger frames are dropped.
 */
export const MAX_SERVER_FRAME_BYTES = 16 * 1024 * 1024;

let cidCounter = 0;

/** A client-side id for an event: unique enough to make resends safe. */
export function newCid(): string {
  cidCounter = (cidCounter + 1) % 1e9;
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}-${cidCounter}`;
}

/**
 * One WebSocket session speaking the binary MessagePack protocol. Requests get an id and a
 * promise; pushes arrive as `event` and `notice` events; `closed` carries the close code.
 *
 * Events: 'event' (ImEvent), 'notice' (Notice), 'error-frame' (ErrorBody of a request without
 * id), 'frame' (every server frame), 'close' ({code, reason}), 'bad-frame' (byte length of a
 * frame that could not be decoded), 'listener-error' (what an app listener threw).
 */
export class ImSocket extends EventEmitter {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly requestTimeoutMs: number;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(
    readonly ws: WebSocket,
    options: ConnectOptions,
  ) {
    super();
    this.requestTimeoutMs = options.requestTimeoutMs ?? 15000;
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return;
      // Nothing a server sends may throw out of a socket listener: an undecodable frame is
      // reported and dropped, and a failing app listener is the app's, not the socket's.
      let frame: ServerMessage;
      try {
        frame = decode(data, MAX_SERVER_FRAME_BYTES) as ServerMessage;
      } catch {
        this.emitSafely('bad-frame', data.byteLength);
        return;
      }
      if (frame === null || typeof frame !== 'object' || typeof frame.cmd !== 'string') {
        this.emitSafely('bad-frame', data.byteLength);
        return;
      }
      this.receive(frame);
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code: number, reason: Buffer) => {
        const info = { code, reason: reason.toString() };
        for (const p of this.pending.values()) {
          clearTimeout(p.timer);
          p.reject(new ImError({ code: 'unavailable', message: `socket closed (${code})` }));
        }
        this.pending.clear();
        this.emitSafely('close', info);
        resolve(info);
      });
    });
    ws.on('error', () => undefined);
  }

  /** Opens a socket; rejects with the HTTP status when the upgrade is refused. */
  static connect(url: string, token: string, options: ConnectOptions = {}): Promise<ImSocket> {
    const target = new URL(url);
    if (!options.useHeader) target.searchParams.set('token', token);
    const ws = new WebSocket(target, options.useHeader ? { headers: { authorization: `Bearer ${token}` } } : {});
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new ImSocket(ws, options)));
      ws.once('unexpected-response', (_req, res) => {
        reject(new ImError({ code: res.statusCode === 401 ? 'unauthorized' : 'unavailable', message: `upgrade refused: HTTP ${res.statusCode}` }, res.statusCode));
        ws.terminate();
      });
      ws.once('error', (err) => reject(err));
    });
  }

  /** Emits without letting a listener's exception escape into the socket's event loop. */
  private emitSafely(event: string, ...args: unknown[]): void {
    try {
      this.emit(event, ...args);
    } catch (err) {
      queueMicrotask(() => {
        if (this.listenerCount('listener-error') > 0) this.emit('listener-error', err);
      });
    }
  }

  private receive(frame: ServerMessage): void {
    this.emitSafely('frame', frame);
    if (frame.id !== undefined && this.pending.has(frame.id)) {
      const p = this.pending.get(frame.id)!;
      this.pending.delete(frame.id);
      clearTimeout(p.timer);
      if (frame.cmd === 'error') p.reject(new ImError(frame.data as ErrorBody));
      else p.resolve(frame.data);
      return;
    }
    if (frame.cmd === 'event') this.emitSafely('event', frame.data as ImEvent);
    else if (frame.cmd === 'notice') this.emitSafely('notice', frame.data as Notice);
    else if (frame.cmd === 'error') this.emitSafely('error-frame', frame.data as ErrorBody);
  }

  /** Sends a command and resolves with its reply data, or rejects with an ImError. */
  request<C extends CommandName>(cmd: C, data?: CommandData<C>): Promise<CommandResults[C]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ImError({ code: 'unavailable', message: `no reply to ${cmd} within ${this.requestTimeoutMs} ms` }));
      }, this.requestTimeoutMs);
      this.pending.set(id, { resolve: resolve as (d: unknown) => void, reject, timer });
      this.sendRaw(encode(data === undefined ? { cmd, id } : { cmd, id, data }));
    });
  }

  /** Sends a command without an id: no reply on success. */
  notify<C extends CommandName>(cmd: C, data?: CommandData<C>): void {
    this.sendRaw(encode(data === undefined ? { cmd } : { cmd, data }));
  }

  /** Sends bytes as they are (a binary frame). */
  sendRaw(bytes: Uint8Array | string): void {
    this.ws.send(bytes, { binary: typeof bytes !== 'string' });
  }

  /** Sends a text message; resolves with its ack once the server has committed it. */
  async sendText(conversationId: string, content: string, options: { cid?: string; tags?: Tag[] } = {}): Promise<Ack> {
    return this.sendEvent({ conversation_id: conversationId, kind: Kind.TEXT, content, tags: options.tags ?? [], cid: options.cid ?? newCid() });
  }

  async sendEvent(data: CommandData<'event'>): Promise<Ack> {
    return (await this.request('event', data)) as Ack;
  }

  /** Resolves with the next push of a type that matches, or rejects after the timeout. */
  next<T = unknown>(type: 'event' | 'notice' | 'error-frame', match: (data: T) => boolean = () => true, timeoutMs = 5000): Promise<T> {
    return new Promise((resolve, reject) => {
      const onData = (data: T) => {
        if (!match(data)) return;
        clearTimeout(timer);
        this.off(type, onData);
        resolve(data);
      };
      const timer = setTimeout(() => {
        this.off(type, onData);
        reject(new Error(`no ${type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.on(type, onData);
    });
  }

  close(code = 1000): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code);
    return this.closed;
  }

  /** Drops the connection without a closing handshake, as a lost network would. */
  terminate(): void {
    this.ws.terminate();
  }
}
