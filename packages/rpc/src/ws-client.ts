import WebSocket from 'ws';
import type { z } from 'zod';
import { AppError } from '@im/protocol';
import type { RpcCaller } from './caller.js';
import { fromJsonRpcError } from './errors.js';
import type { ParamSchemas } from './methods.js';
import { RPC_WS_PATH } from './ws-server.js';

export interface WsRpcClientOptions {
  /** Base URL of the service, e.g. http://127.0.0.1:8082 (the WebSocket path is added). */
  url: string;
  token: string;
  /** Name used in `unavailable` messages. */
  service: string;
  /** A call not answered within this is given up as `unavailable` (retrying is safe). */
  timeoutMs?: number;
  /** How long a connection attempt may take. */
  connectTimeoutMs?: number;
  /** After a failed connection attempt, calls fail at once for this long. */
  retryAfterMs?: number;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  timer: NodeJS.Timeout;
  sent: boolean;
}

interface Response {
  id?: unknown;
  result?: unknown;
  error?: { code?: unknown; message?: unknown; data?: unknown };
}

/**
 * A typed JSON-RPC client over one persistent WebSocket: calls made in the same turn of the
 * loop leave as one frame (a JSON-RPC batch), each is answered as soon as the service is
 * done with it, and nothing is paid per call for HTTP. The connection is opened on first use
 * and again after it drops; while the service cannot be reached, calls fail fast as
 * `unavailable`, and calls sent on a connection that dropped fail as `unavailable` too
 * (whether they ran is unknown: callers retry what is safe to retry, as with HTTP).
 */
export class WsRpcClient<P extends ParamSchemas, R extends { [M in keyof P]: unknown }> implements RpcCaller<P, R> {
  private readonly url: string;
  private readonly pending = new Map<number, Pending>();
  private outbox: Array<{ jsonrpc: '2.0'; id: number; method: string; params: unknown }> = [];
  private ws: WebSocket | undefined;
  private opening: Promise<WebSocket> | undefined;
  private scheduled = false;
  private nextId = 1;
  private downUntil = 0;
  private closed = false;

  constructor(private readonly options: WsRpcClientOptions) {
    const url = new URL(RPC_WS_PATH, options.url);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    this.url = url.toString();
  }

  call<M extends keyof P & string>(method: M, params: z.input<P[M]>): Promise<R[M]> {
    return new Promise<R[M]>((resolve, reject) => {
      if (this.closed) return reject(this.unavailable());
      const id = this.nextId++;
      const timer = setTimeout(() => this.settle(id, undefined, new AppError('unavailable', `${this.options.service} did not answer in time`)), this.options.timeoutMs ?? 10_000);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer, sent: false });
      this.outbox.push({ jsonrpc: '2.0', id, method, params });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private unavailable(): AppError {
    return new AppError('unavailable', `${this.options.service} is unavailable`);
  }

  private settle(id: number, result: unknown, error?: unknown): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (error !== undefined) p.reject(error);
    else p.resolve(result);
  }

  private flush(): void {
    this.scheduled = false;
    if (this.outbox.length === 0) return;
    const ws = this.ws;
    if (ws && ws.readyState === WebSocket.OPEN) {
      const batch = this.outbox;
      this.outbox = [];
      for (const r of batch) {
        const p = this.pending.get(r.id);
        if (p) p.sent = true;
      }
      ws.send(JSON.stringify(batch.length === 1 ? batch[0] : batch));
      return;
    }
    if (Date.now() < this.downUntil) return this.failOutbox(this.unavailable());
    this.connect().then(
      () => this.flush(),
      (err: unknown) => {
        this.downUntil = Date.now() + (this.options.retryAfterMs ?? 200);
        this.failOutbox(err instanceof AppError ? err : this.unavailable());
      },
    );
  }

  private failOutbox(err: AppError): void {
    const batch = this.outbox;
    this.outbox = [];
    for (const r of batch) this.settle(r.id, undefined, err);
  }

  private connect(): Promise<WebSocket> {
    this.opening ??= new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(this.url, { headers: { authorization: `Bearer ${this.options.token}` }, perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
      const timer = setTimeout(() => {
        ws.terminate();
        reject(this.unavailable());
      }, this.options.connectTimeoutMs ?? 2000);
      ws.once('open', () => {
        clearTimeout(timer);
        this.ws = ws;
        resolve(ws);
      });
      ws.once('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        ws.terminate();
        // A refused token is our misconfiguration, not the service being away.
        reject(res.statusCode === 401 ? new AppError('internal', 'internal error') : this.unavailable());
      });
      ws.on('error', () => {
        clearTimeout(timer);
        reject(this.unavailable());
      });
      ws.on('message', (data: Buffer) => this.receive(data));
      ws.on('close', () => {
        clearTimeout(timer);
        reject(this.unavailable());
        if (this.ws !== ws) return;
        this.ws = undefined;
        for (const [id, p] of this.pending) if (p.sent) this.settle(id, undefined, this.unavailable());
      });
    }).finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private receive(data: Buffer): void {
    let message: unknown;
    try {
      message = JSON.parse(data.toString('utf8'));
    } catch {
      return;
    }
    const responses = (Array.isArray(message) ? message : [message]) as Response[];
    for (const r of responses) {
      if (typeof r?.id !== 'number') continue;
      if (r.error) this.settle(r.id, undefined, fromJsonRpcError(r.error));
      else this.settle(r.id, r.result);
    }
  }

  close(): void {
    this.closed = true;
    this.ws?.close();
    for (const id of [...this.pending.keys()]) this.settle(id, undefined, this.unavailable());
  }
}
