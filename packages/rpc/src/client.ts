import http from 'node:http';
import jayson from 'jayson';
import type { z } from 'zod';
import { AppError } from '@im/protocol';
import { fromJsonRpcError } from './errors.js';
import type { RpcCaller } from './caller.js';
import type { ParamSchemas } from './methods.js';

export interface RpcClientOptions {
  /** Base URL of the service, e.g. http://127.0.0.1:8082 */
  url: string;
  token: string;
  /** Name used in `unavailable` messages. */
  service: string;
  timeoutMs?: number;
  /** Most calls sent in one JSON-RPC batch. */
  maxBatch?: number;
  /** Most HTTP requests in flight at once; further calls wait and join later batches. */
  maxSockets?: number;
}

interface Pending {
  request: { id: string | number };
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * A typed JSON-RPC client over HTTP POST /rpc and a keep-alive connection pool. Calls made
 * in the same tick leave together as one JSON-RPC batch, so a burst of sends costs one HTTP
 * round trip instead of one each; a lone call goes out at once. (The batch is answered when
 * its slowest call is done: latency-sensitive callers use WsRpcClient.)
 */
export class RpcClient<P extends ParamSchemas, R extends { [M in keyof P]: unknown }> implements RpcCaller<P, R> {
  private readonly client: jayson.HttpClient;
  private readonly agent: http.Agent;
  private readonly service: string;
  private readonly maxBatch: number;
  private queue: Pending[] = [];
  private scheduled = false;
  private nextId = 1;

  constructor(options: RpcClientOptions) {
    const url = new URL(options.url);
    this.service = options.service;
    this.maxBatch = options.maxBatch ?? 256;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 32 });
    this.client = jayson.Client.http({
      hostname: url.hostname,
      port: Number(url.port || 80),
      path: '/rpc',
      headers: { Authorization: `Bearer ${options.token}` },
      agent: this.agent,
      timeout: options.timeoutMs ?? 10000,
    } as jayson.HttpClientOptions);
  }

  call<M extends keyof P & string>(method: M, params: z.input<P[M]>): Promise<R[M]> {
    return new Promise<R[M]>((resolve, reject) => {
      const request = this.client.request(method, params as jayson.RequestParamsLike, this.nextId++, undefined as never) as unknown as {
        id: number;
      };
      this.queue.push({ request, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.send(batch);
    }
  }

  private send(batch: Pending[]): void {
    const byId = new Map(batch.map((p) => [p.request.id, p]));
    const body = batch.length === 1 ? batch[0]!.request : batch.map((p) => p.request);
    this.client.request(body as never, ((err: (Error & { code?: unknown }) | null, response: unknown) => {
      if (err) {
        const failure =
          err.code === 401
            ? new AppError('internal', 'internal error')
            : new AppError('unavailable', `${this.service} is unavailable`);
        for (const p of batch) p.reject(failure);
        return;
      }
      const responses = (Array.isArray(response) ? response : [response]) as Array<{ id: unknown; result?: unknown; error?: { code?: unknown; message?: unknown; data?: unknown } }>;
      for (const r of responses) {
        const pending = byId.get(r?.id as number);
        if (!pending) continue;
        byId.delete(r.id as number);
        if (r.error) pending.reject(fromJsonRpcError(r.error));
        else pending.resolve(r.result);
      }
      for (const p of byId.values()) p.reject(new AppError('internal', 'internal error'));
    }) as never);
  }

  close(): void {
    this.agent.destroy();
  }
}
