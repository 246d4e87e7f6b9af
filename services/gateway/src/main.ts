import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import express from 'express';
import { closeServer, createLogger, createRegistry, fatal, jsonErrorHandler, listen, mountOps, onShutdown } from '@im/kit';
import { TokenVerifier } from './auth/tokens.js';
import { loadOrExit } from '@im/rpc';
import { relayClient, seakingClient } from './clients/services.js';
import { loadConfig } from './config.js';
import { MembersCache } from './conversations/members-cache.js';
import { authRoutes } from './http/auth-routes.js';
import { openApiRoute } from './http/openapi-route.js';
import { hasWebClient, webClientRoute } from './http/web-client.js';
import { createThrottles } from './throttle/throttles.js';
import { fileRoutes } from './http/file-routes.js';
import { LocalFileStore } from './files/local-store.js';
import { parseS3Url, S3FileStore } from './files/s3-store.js';
import type { FileStore } from './files/store.js';
import { InProcessRouter, type Router } from './routing/router.js';
import { RedisRouter } from './routing/redis-router.js';
import { connectRedis } from './routing/bus.js';
import { RouterMetrics } from './routing/metrics.js';
import { PresenceAnnouncer } from './presence/announcer.js';
import { SessionLiveness } from './sessions/liveness.js';
import { SessionAudit } from './sessions/audit.js';
import { Dispatcher } from './ws/dispatcher.js';
import type { GatewayDeps } from './ws/handler.js';
import { handlers } from './ws/handlers/index.js';
import { LocalConnections } from './ws/local-connections.js';
import { DEFAULT_LIMITS, maxInFlight, WsServer } from './ws/server.js';

/** The built web client: apps/web's www/ folder (`make build` makes it). */
const WEB_DIR = path.join(path.dirname(createRequire(import.meta.url).resolve('@im/web/package.json')), 'www');

async function probe(url: string): Promise<boolean> {
  const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1500) });
  return res.ok;
}

async function main(): Promise<void> {
  const config = loadOrExit('gateway', () => loadConfig());
  const logger = createLogger({ service: 'gateway', level: config.logLevel }).child({ gateway_id: config.gatewayId });
  const registry = createRegistry('gateway');

  const seaking = seakingClient(config.seakingUrl, config.internalToken, config.rpcTransport);
  const relay = relayClient(config.relayUrl, config.internalToken, config.rpcTransport);
  const relayWrites = relayClient(config.relayUrl, config.internalToken, config.rpcTransport);
  const verifier = new TokenVerifier(config.jwtSecret);
  // A standalone Redis or a Redis Cluster, used alike.
  const shared = config.redis ? connectRedis(config.redis, logger) : undefined;
  await shared?.connect();
  const redis = shared?.redis;
  const throttles = createThrottles(config.throttles, { redis, prefix: `${config.redisPrefix}throttle:` });
  const local = new LocalConnections();
  const routerOptions = { gatewayId: config.gatewayId, maxConnPerUser: config.maxConnPerUser };
  const router: Router = shared
    ? new RedisRouter(
        local,
        { ...routerOptions, prefix: config.redisPrefix, heartbeatMs: config.presenceHeartbeatMs, deadAfterMs: config.presenceTtlMs },
        shared.redis,
        shared.bus,
        logger,
        new RouterMetrics(registry),
      )
    : new InProcessRouter(local, routerOptions);
  const members = new MembersCache(async (id) => (await seaking.call('seaking.getConversationMembers', { conversation_id: id })).conversation, {
    maxBytes: config.membersCacheBytes,
    ttlMs: config.membersCacheTtlMs,
  });
  router.onSignal((signal) => {
    if (signal.type === 'invalidate_conversations') members.invalidate(signal.conversation_ids);
    else if (signal.type === 'close_session') {
      for (const conn of [...local.all()]) if (conn.sessionId === signal.session_id) conn.close(signal.code, signal.reason);
    }
  });
  const audit = new SessionAudit(seaking, local, logger);
  router.onResync(() => {
    members.clear();
    void audit.run();
  });
  await router.start();
  audit.start(config.sessionRecheckMs);

  const presence = new PresenceAnnouncer(seaking, router, logger);
  router.onOffline((userId) => presence.announce(userId, false));
  const deps: GatewayDeps = { seaking, relay, relayWrites, router, members, logger };
  const dispatcher = new Dispatcher(handlers, deps, { maxFrameBytes: config.maxFrameBytes, registry });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustedProxies);
  mountOps(app, {
    registry,
    checks: {
      seaking: () => probe(config.seakingUrl),
      relay: () => probe(config.relayUrl),
      ...(redis ? { redis: () => router.healthy() } : {}),
    },
  });
  if (config.webClient) {
    if (hasWebClient(WEB_DIR)) app.use(webClientRoute(WEB_DIR));
    else logger.warn('the web client is not built: run make build', { dir: WEB_DIR });
  }
  app.use(openApiRoute());
  const s3 = config.files.s3Url ? new S3FileStore(parseS3Url(config.files.s3Url, config.files.s3Region)) : undefined;
  const store: FileStore = s3 ?? new LocalFileStore(config.files.dir);
  logger.info('file store', s3 ? { kind: 's3' } : { kind: 'local', dir: config.files.dir });
  // Uploads are streamed: mounted before the JSON parser, which would otherwise take their bodies.
  app.use(fileRoutes({ seaking, relay, verifier, store, logger, maxFileBytes: config.files.maxBytes }));
  app.use(express.json({ limit: '64kb' }));
  app.use(authRoutes({ seaking, verifier, router, throttles, logger }));
  app.use(jsonErrorHandler(logger));

  const server = http.createServer(app);
  const ws = new WsServer(
    { verifier, sessions: new SessionLiveness(seaking), router, local, dispatcher, presence, logger, registry },
    {
      maxFrameBytes: config.maxFrameBytes,
      perMessageDeflate: config.perMessageDeflate,
      maxConnPerUser: config.maxConnPerUser,
      pingIntervalMs: config.pingIntervalMs,
      idleTimeoutMs: config.idleTimeoutMs,
      limits: { eventRate: config.eventRate, commandRate: config.commandRate, maxBufferedBytes: config.maxBufferedBytes, maxInFlight: maxInFlight(config.eventRate), ...DEFAULT_LIMITS },
    },
  );
  ws.attach(server);
  const port = await listen(server, config.port, config.host);
  logger.info('listening', { port, websocket: '/ws' });

  onShutdown(
    logger,
    async () => {
      await ws.drain(dispatcher, config.shutdownGraceMs);
      await closeServer(server);
      audit.stop();
      await router.stop();
      seaking.close();
      relay.close();
      relayWrites.close();
      s3?.close();
      shared?.close();
    },
    config.shutdownGraceMs + 5000,
  );
}

main().catch((err) => fatal(createLogger({ service: 'gateway' }), 'startup failed', err));
