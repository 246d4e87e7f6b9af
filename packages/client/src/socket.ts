import { decode, encode } from '@im/codec';
import { Kind, type Ack, type CommandName, type CommandResults, type CommandData, type ErrorBody, type ImEvent, type Notice, type Tag, type UploadedFile } from '@im/protocol';
import { Emitter } from './emitter.js';
import { ImError } from './errors.js';
import { CONNECTING, defaultOpenSocket, OPEN, type OpenSocket, type WebSocketLike } from './transport.js';

export interface ServerMessage {
  cmd: string;
  id?: number;
  data?: unknown;
}

interface Pending {
  resolve: (data: unknown) => void;
  reject: (err: unknown) => void;
  timer: ReturnType<typeof setTimeout>;
}

export interface ConnectOptions {
  /** Send the token as an Authorization header instead of the query string (Node only). */
  useHeader?: boolean;
  requestTimeoutMs?: number;
  /** How to open the WebSocket; the platform's own by default. */
  openSocket?: OpenSocket;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

/** The events of an ImSocket and what each carries. */
export interface ImSocketEvents {
  /** A pushed conversation event (kinds 10 and 11 in their short form, without id or seq). */
  event: ImEvent;
  notice: Notice;
  /** The error of a frame sent without an id. */
  'error-frame': ErrorBody;
  /** Every server frame, before it is dispatched. */
  frame: ServerMessage;
  close: CloseInfo;
  /** The byte length of a server frame that could not be decoded (it is dropped). */
  'bad-frame': number;
  /** What an app listener threw: caught, so the socket keeps working. */
  'listener-error': unknown;
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

function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return undefined;
}

/**
 * One WebSocket session speaking the binary MessagePack protocol, in browsers and Node.
 * Requests get an id and a promise; pushes arrive as `event` and `notice` events; `closed`
 * resolves with the close code. It never reconnects: ImClient does that on top of it.
 */
export class ImSocket extends Emitter<ImSocketEvents> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly requestTimeoutMs: number;
  private isClosed = false;
  readonly closed: Promise<CloseInfo>;

  private constructor(
    readonly ws: WebSocketLike,
    options: ConnectOptions,
  ) {
    // A throwing app listener is the app's problem, not the socket's: it is reported, and
    // the frame that triggered it is still fully handled.
    super((err, event) => {
      if (event !== 'listener-error' && this.listenerCount('listener-error') > 0) this.emit('listener-error', err);
      else console.error(`an ImSocket "${String(event)}" listener threw`, err);
    });
    this.requestTimeoutMs = options.requestTimeoutMs ?? 15000;
    ws.addEventListener('message', (ev: { data: unknown }) => this.onMessage(ev.data));
    this.closed = new Promise((resolve) => {
      ws.addEventListener('close', (ev: { code: number; reason: string }) => {
        this.isClosed = true;
        const info = { code: ev.code, reason: String(ev.reason ?? '') };
        for (const p of this.pending.values()) {
          clearTimeout(p.timer);
          p.reject(new ImError({ code: 'unavailable', message: `socket closed (${info.code})` }));
        }
        this.pending.clear();
        this.emit('close', info);
        resolve(info);
      });
    });
    ws.addEventListener('error', () => undefined);
  }

  /** Opens a socket; rejects with an ImError (with the HTTP status where known) when refused. */
  static async connect(url: string, token: string, options: ConnectOptions = {}): Promise<ImSocket> {
    const target = new URL(url);
    if (!options.useHeader) target.searchParams.set('token', token);
    const open = options.openSocket ?? defaultOpenSocket();
    const ws = await open(target.toString(), options.useHeader ? { headers: { authorization: `Bearer ${token}` } } : {});
    return new ImSocket(ws, options);
  }

  /** True once the socket has closed (or was dropped). */
  get isOpen(): boolean {
    return !this.isClosed && this.ws.readyState === OPEN;
  }

  private onMessage(data: unknown): void {
    // Nothing a server sends may throw out of a socket listener: an undecodable frame is
    // reported and dropped. Text frames are not part of the protocol and are ignored.
    const bytes = toBytes(data);
    if (!bytes) return;
    let frame: ServerMessage;
    try {
      frame = decode(bytes, MAX_SERVER_FRAME_BYTES) as ServerMessage;
    } catch {
      this.emit('bad-frame', bytes.byteLength);
      return;
    }
    if (frame === null || typeof frame !== 'object' || typeof frame.cmd !== 'string') {
      this.emit('bad-frame', bytes.byteLength);
      return;
    }
    this.receive(frame);
  }

  private receive(frame: ServerMessage): void {
    this.emit('frame', frame);
    if (frame.id !== undefined && this.pending.has(frame.id)) {
      const p = this.pending.get(frame.id)!;
      this.pending.delete(frame.id);
      clearTimeout(p.timer);
      if (frame.cmd === 'error') p.reject(new ImError(frame.data as ErrorBody));
      else p.resolve(frame.data);
      return;
    }
    if (frame.cmd === 'event') this.emit('event', frame.data as ImEvent);
    else if (frame.cmd === 'notice') this.emit('notice', frame.data as Notice);
    else if (frame.cmd === 'error') this.emit('error-frame', frame.data as ErrorBody);
  }

  /** Sends a command and resolves with its reply data, or rejects with an ImError. */
  request<C extends CommandName>(cmd: C, data?: CommandData<C>): Promise<CommandResults[C]> {
    if (this.isClosed) return Promise.reject(new ImError({ code: 'unavailable', message: 'socket closed' }));
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ImError({ code: 'unavailable', message: `no reply to ${cmd} within ${this.requestTimeoutMs} ms` }));
      }, this.requestTimeoutMs);
      this.pending.set(id, { resolve: resolve as (d: unknown) => void, reject, timer });
      try {
        this.sendRaw(encode(data === undefined ? { cmd, id } : { cmd, id, data }));
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new ImError({ code: 'unavailable', message: `cannot send: ${(err as Error).message}` }));
      }
    });
  }

  /** Sends a command without an id: no reply on success. */
  notify<C extends CommandName>(cmd: C, data?: CommandData<C>): void {
    this.sendRaw(encode(data === undefined ? { cmd } : { cmd, data }));
  }

  /** Sends bytes as they are: a binary frame, or a text frame for a string. */
  sendRaw(bytes: Uint8Array | string): void {
    this.ws.send(bytes);
  }

  /** Sends a text message; resolves with its ack once the server has committed it. */
  async sendText(conversationId: string, content: string, options: { cid?: string; tags?: Tag[] } = {}): Promise<Ack> {
    return this.sendEvent({ conversation_id: conversationId, kind: Kind.TEXT, content, tags: options.tags ?? [], cid: options.cid ?? newCid() });
  }

  /**
   * Sends a file event (kind 3) for an uploaded file: its url, media type, size, hash and
   * name as tags, the caption as content.
   */
  async sendFile(conversationId: string, file: UploadedFile, options: { name?: string; caption?: string; cid?: string; tags?: Tag[] } = {}): Promise<Ack> {
    const tags: Tag[] = [['url', file.url], ['m', file.mime], ['size', String(file.size)], ['x', file.sha256]];
    if (options.name !== undefined) tags.push(['name', options.name]);
    return this.sendEvent({ conversation_id: conversationId, kind: Kind.FILE, content: options.caption ?? '', tags: [...tags, ...(options.tags ?? [])], cid: options.cid ?? newCid() });
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
        this.off(type, onData as never);
        resolve(data);
      };
      const timer = setTimeout(() => {
        this.off(type, onData as never);
        reject(new Error(`no ${type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.on(type, onData as never);
    });
  }

  close(code = 1000, reason?: string): Promise<CloseInfo> {
    if (this.ws.readyState === OPEN || this.ws.readyState === CONNECTING) this.ws.close(code, reason);
    return this.closed;
  }

  /** Drops the connection without a closing handshake, as a lost network would (Node); a browser can only close. */
  terminate(): void {
    if (this.ws.terminate) this.ws.terminate();
    else this.ws.close();
  }
}
