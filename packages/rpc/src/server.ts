import crypto from 'node:crypto';
import express from 'express';
import jayson from 'jayson/promise/index.js';
import { PARSE_ERROR } from './errors.js';
import type { Method } from './methods.js';

/** True when an Authorization header carries the expected bearer token (in constant time). */
export function tokenMatches(header: string | undefined, expected: Buffer): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice(7));
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

/**
 * An Express router serving JSON-RPC 2.0 at POST /rpc, batches included (a batch is
 * answered when all its calls are done, as HTTP allows one response). Callers must present
 * the internal token (401 otherwise); a body that is not JSON is a parse error (-32700).
 */
export function createRpcRouter(options: { methods: Map<string, Method>; token: string; bodyLimit?: string }): express.Router {
  const expected = Buffer.from(options.token);
  const server = new jayson.Server(Object.fromEntries(options.methods) as unknown as jayson.MethodLike[] & Record<string, jayson.MethodLike>);
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
    // A full batch of maximum-size events fits.
    express.json({ limit: options.bodyLimit ?? '64mb' }),
    server.middleware() as unknown as express.RequestHandler,
  );
  router.use('/rpc', ((err, _req, res, next) => {
    if ((err as { type?: string })?.type !== 'entity.parse.failed') return next(err);
    res.status(200).json({ jsonrpc: '2.0', error: { code: PARSE_ERROR, message: 'Parse error: the body is not valid JSON' }, id: null });
  }) as express.ErrorRequestHandler);
  return router;
}
