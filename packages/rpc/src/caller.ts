import type { z } from 'zod';
import type { ParamSchemas } from './methods.js';

/** What callers of a JSON-RPC service use, whatever carries the calls (HTTP or WebSocket). */
export interface RpcCaller<P extends ParamSchemas, R extends { [M in keyof P]: unknown }> {
  call<M extends keyof P & string>(method: M, params: z.input<P[M]>): Promise<R[M]>;
  close(): void;
}
