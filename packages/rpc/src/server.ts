import crypto from 'node:crypto';
import express from 'express';
import jayson from 'jayson/promise/index.js';
import type { z } from 'zod';
import { AppError, toAppError } from '@im/protocol';
import { errorFields, prom, type Logger, type Registry } from '@im/kit';
import { PARSE_ERROR, toJsonRpcError } from './errors.js';

export type ParamSchemas = Record<string, z.ZodType>;

/** One handler per method: receives params already validated against the method's schema. */
export type Handlers<P extends ParamSchemas, R extends { [M in keyof P]: unknown }> = {
  [M in keyof P]: (params: z.output<P[M]>) => Promise<R[M]>;
};

export interface RpcServerOptions<P extends ParamSchemas, R extends { [M in keyof P]: unknown }> {
  schemas: P;
  handlers: Handlers<P, R>;
  token: string;
  logger: Logger;
  registry: Registry;
  bodyLimit?: string;
}

function tokenMatches(header: string | undefined, expected: Buffer): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice(7));
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

/**
 * An Express router serving JSON-RPC 2.0 at POST /rpc, batches included. Callers must
 * present the internal token (401 otherwise); params must be named; every failure becomes
 * a JSON-RPC error carrying the contract's code and nothing internal.
 */
export function createRpcRouter<P extends ParamSchemas, R extends { [M in keyof P]: unknown }>(
  options: RpcServerOptions<P, R>,
): express.Router {
  const { schemas, handlers, logger } = options;
  const expected = Buffer.from(options.token);
  const duration = new prom.Histogram({
    name: 'rpc_server_duration_seconds',
    help: 'Time to serve one JSON-RPC method call',
    labelNames: ['method', 'outcome'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [options.registry],
  });

  const methods: Record<string, (params: unknown) => Promise<unknown>> = {};
  for (const name of Object.keys(schemas) as Array<keyof P & string>) {
    const schema = schemas[name]!;
    const handler = handlers[name];
    methods[name] = async (raw: unknown) => {
      const stop = duration.startTimer({ method: name });
      if (raw === undefined || Array.isArray(raw)) {
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
    };
  }
  const server = new jayson.Server(methods as unknown as jayson.MethodLike[] & Record<string, jayson.MethodLike>);

  const router = express.Router();
  router.post(
    '/rpc',
    (req, res, next) => {
      if (!tokenMatches(req.headers.authorization, expected)) {
        res.status(401).json({ error: { code: 'unauthorized', message: 'internal token required' } });
        return;
      }
      next();
    },
    // A full batch of maximum-size events (256 × 64 KiB) fits.
    express.json({ limit: options.bodyLimit ?? '32mb' }),
    server.middleware() as unknown as express.RequestHandler,
  );
  // A body that is not JSON is a JSON-RPC parse error (-32700), not a domain error.
  router.use('/rpc', ((err, _req, res, next) => {
    if ((err as { type?: string })?.type !== 'entity.parse.failed') return next(err);
    res.status(200).json({ jsonrpc: '2.0', error: { code: PARSE_ERROR, message: 'Parse error: the body is not valid JSON' }, id: null });
  }) as express.ErrorRequestHandler);
  return router;
}
