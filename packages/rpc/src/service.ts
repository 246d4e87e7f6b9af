import http from 'node:http';
import express from 'express';
import { closeServer, createLogger, fatal, jsonErrorHandler, listen, mountOps, onShutdown, type HealthCheck, type Logger, type Registry } from '@im/kit';
import { buildMethods, type Handlers, type ParamSchemas } from './methods.js';
import { createRpcRouter } from './server.js';
import { RpcWebSocketServer } from './ws-server.js';

/** Loads a service's configuration, or logs why not and exits. */
export function loadOrExit<T>(service: string, load: () => T): T {
  try {
    return load();
  } catch (err) {
    fatal(createLogger({ service }), 'configuration rejected', err);
  }
}

export interface RpcServiceOptions<P extends ParamSchemas, R extends { [M in keyof P]: unknown }> {
  logger: Logger;
  registry: Registry;
  port: number;
  host: string;
  token: string;
  schemas: P;
  handlers: Handlers<P, R>;
  checks: Record<string, HealthCheck>;
  /** Runs after the server stopped taking requests and the ones under way finished. */
  onStop: () => Promise<void>;
  /** How long a stop waits for calls under way. */
  graceMs?: number;
}

/**
 * Serves a JSON-RPC service: POST `/rpc` (keep-alive, batches), the same methods over a
 * persistent WebSocket at `/rpc/ws`, `/health`, `/metrics`, and a graceful stop on SIGTERM:
 * no new callers, the calls under way finish (and are answered), then the process exits.
 */
export async function serveRpc<P extends ParamSchemas, R extends { [M in keyof P]: unknown }>(o: RpcServiceOptions<P, R>): Promise<http.Server> {
  const app = express();
  app.disable('x-powered-by');
  mountOps(app, { registry: o.registry, checks: o.checks });
  const methods = buildMethods(o.schemas, o.handlers, o.logger, o.registry);
  app.use(createRpcRouter({ methods, token: o.token }));
  app.use(jsonErrorHandler(o.logger));
  const server = http.createServer(app);
  const sockets = new RpcWebSocketServer(methods, o.token, o.logger);
  sockets.attach(server);
  // Longer than callers' idle sockets live, so a kept-alive connection is never cut mid-request.
  server.keepAliveTimeout = 65000;
  const port = await listen(server, o.port, o.host);
  o.logger.info('listening', { port });
  onShutdown(o.logger, async () => {
    await Promise.all([closeServer(server), sockets.drain(o.graceMs ?? 10_000)]);
    await o.onStop();
  });
  return server;
}
