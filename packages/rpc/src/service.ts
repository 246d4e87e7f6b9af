import http from 'node:http';
import express from 'express';
import { closeServer, createLogger, fatal, jsonErrorHandler, listen, mountOps, onShutdown, type HealthCheck, type Logger, type Registry } from '@im/kit';
import { createRpcRouter, type Handlers, type ParamSchemas } from './server.js';

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
}

/**
 * Serves a JSON-RPC service: `/rpc`, `/health`, `/metrics`, keep-alive connections for
 * batching callers, and a graceful stop on SIGTERM.
 */
export async function serveRpc<P extends ParamSchemas, R extends { [M in keyof P]: unknown }>(o: RpcServiceOptions<P, R>): Promise<http.Server> {
  const app = express();
  app.disable('x-powered-by');
  mountOps(app, { registry: o.registry, checks: o.checks });
  app.use(createRpcRouter<P, R>({ schemas: o.schemas, handlers: o.handlers, token: o.token, logger: o.logger, registry: o.registry }));
  app.use(jsonErrorHandler(o.logger));
  const server = http.createServer(app);
  // Longer than callers' idle sockets live, so a kept-alive connection is never cut mid-request.
  server.keepAliveTimeout = 65000;
  const port = await listen(server, o.port, o.host);
  o.logger.info('listening', { port });
  onShutdown(o.logger, async () => {
    await closeServer(server);
    await o.onStop();
  });
  return server;
}
