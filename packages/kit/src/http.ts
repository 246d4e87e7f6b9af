import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Logger } from './logger.js';
import type { Registry } from './metrics.js';

export type HealthCheck = () => Promise<boolean>;

/**
 * Adds `/health` (200 when every check passes, else 503 with the failing ones) and
 * `/metrics` (Prometheus text) to an app. Checks run with a deadline so a hung
 * dependency reports as down instead of hanging the probe.
 */
export function mountOps(app: express.Express, options: { registry: Registry; checks: Record<string, HealthCheck>; timeoutMs?: number }): void {
  const timeoutMs = options.timeoutMs ?? 2000;
  app.get('/health', async (_req, res) => {
    const names = Object.keys(options.checks);
    const results = await Promise.all(names.map((name) => withDeadline(options.checks[name]!(), timeoutMs)));
    const checks: Record<string, 'ok' | 'down'> = {};
    names.forEach((name, i) => (checks[name] = results[i] ? 'ok' : 'down'));
    const healthy = results.every(Boolean);
    res.status(healthy ? 200 : 503).json({ status: healthy ? 'ok' : 'degraded', checks });
  });
  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', options.registry.contentType);
    res.send(await options.registry.metrics());
  });
}

async function withDeadline(check: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([check.catch(() => false), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Connections the kernel may hold for a listener before it is accepted (it caps this at
 * net.core.somaxconn). Node's default, 511, overflows when a thousand clients reconnect at
 * once: the dropped handshakes are retried by the clients a whole second later.
 */
export const LISTEN_BACKLOG = 4096;

/** Starts listening; resolves with the bound port (0 picks a free one). */
export async function listen(server: http.Server, port: number, host?: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** Stops accepting and waits for in-flight requests; idle keep-alive sockets are closed. */
export async function closeServer(server: http.Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/** Express error handler for JSON bodies that fail to parse: a contract error, never a stack. */
export function jsonErrorHandler(logger: Logger): express.ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const status = typeof err?.status === 'number' ? err.status : 500;
    if (status === 413) {
      res.status(413).json({ error: { code: 'too_large', message: 'request body is too large' } });
    } else if (status >= 400 && status < 500) {
      res.status(400).json({ error: { code: 'bad_request', message: 'request body must be valid JSON' } });
    } else {
      logger.error('unhandled http error', { err: err instanceof Error ? err.message : String(err) });
      res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
    }
  };
}
