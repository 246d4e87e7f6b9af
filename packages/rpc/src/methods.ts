import type { z } from 'zod';
import { AppError, toAppError } from '@im/protocol';
import { errorFields, prom, type Logger, type Registry } from '@im/kit';
import { toJsonRpcError } from './errors.js';

export type ParamSchemas = Record<string, z.ZodType>;

/** One handler per method: receives params already validated against the method's schema. */
export type Handlers<P extends ParamSchemas, R extends { [M in keyof P]: unknown }> = {
  [M in keyof P]: (params: z.output<P[M]>) => Promise<R[M]>;
};

/** A method as both transports call it: raw params in, a result or a thrown JSON-RPC error out. */
export type Method = (params: unknown) => Promise<unknown>;

/**
 * Wraps each handler with what every call needs, whatever the transport: params must be
 * named and pass the method's schema (-32602 otherwise), failures become JSON-RPC errors
 * carrying the contract's code and nothing internal, and every call is timed.
 */
export function buildMethods<P extends ParamSchemas, R extends { [M in keyof P]: unknown }>(
  schemas: P,
  handlers: Handlers<P, R>,
  logger: Logger,
  registry: Registry,
): Map<string, Method> {
  const duration = new prom.Histogram({
    name: 'rpc_server_duration_seconds',
    help: 'Time to serve one JSON-RPC method call',
    labelNames: ['method', 'outcome'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const methods = new Map<string, Method>();
  for (const name of Object.keys(schemas) as Array<keyof P & string>) {
    const schema = schemas[name]!;
    const handler = handlers[name];
    methods.set(name, async (raw: unknown) => {
      const stop = duration.startTimer({ method: name });
      if (raw === undefined || raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
        stop({ outcome: 'invalid_params' });
        throw toJsonRpcError(new AppError('bad_request', 'params must be an object of named parameters'), true);
      }
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        stop({ outcome: 'invalid_params' });
        throw toJsonRpcError(toAppError(parsed.error), true);
      }
      try {
        const result = await handler(parsed.data as z.output<P[typeof name]>);
        stop({ outcome: 'ok' });
        return result;
      } catch (err) {
        if (err instanceof AppError) {
          stop({ outcome: err.code });
          throw toJsonRpcError(err);
        }
        stop({ outcome: 'internal' });
        logger.error('rpc method failed', { method: name, ...errorFields(err) });
        throw toJsonRpcError(new AppError('internal', 'internal error'));
      }
    });
  }
  return methods;
}
