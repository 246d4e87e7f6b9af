import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImHttp, ImSocket, type LoginRequest } from '@im/client';
import { Redis } from 'ioredis';
import { createDatabase, freePort, spawnService, testPostgres, testRedisUrl, type PostgresServer, type ServiceProcess, type TestDatabase } from '@im/devkit';
import type { Session } from '@im/protocol';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const entry = (service: string) => path.join(ROOT, 'services', service, 'dist', 'main.js');

export const SECRETS = { JWT_SECRET: 'test-jwt-secret-0123456789', INTERNAL_TOKEN: 'test-internal-token-0123456789' };

export interface Cluster {
  http: ImHttp;
  gatewayUrl: string;
  seaking: ServiceProcess;
  relay: ServiceProcess;
  gateway: ServiceProcess;
  relays: ServiceProcess[];
  gateways: ServiceProcess[];
  /** One HTTP client per gateway. */
  https: ImHttp[];
  /** The services' databases, for tests that seed or inspect state directly. */
  databases: { seaking: string; relay: string };
  /** Starts relay `i` again on its port after it stopped. */
  restartRelay(i: number): Promise<ServiceProcess>;
  /** Starts seaking again on its port after it stopped. */
  restartSeaking(): Promise<ServiceProcess>;
  /** Starts gateway `i` again on its port after it stopped. */
  restartGateway(i: number): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  gatewayEnv?: Record<string, string>;
  seakingEnv?: Record<string, string>;
  relayEnv?: Record<string, string>;
  /** Number of gateway processes (default 1); gateway i talks to relay i mod relays. */
  gateways?: number;
  relays?: number;
  /**
   * Join the gateways through Redis (the machine's, or TEST_REDIS_URL, or this URL: one
   * server, or the nodes of a Redis Cluster), under a prefix of their own.
   */
  redis?: boolean | string;
  /** The PostgreSQL server to use instead of the shared one (e.g. an embedded one the test restarts). */
  postgres?: PostgresServer;
}

let postgres: Promise<PostgresServer> | undefined;

/**
 * Starts the real service processes against fresh databases and tears everything down
 * (databases included) on stop.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  postgres ??= testPostgres();
  const pg = options.postgres ?? (await postgres);
  const dbs: TestDatabase[] = [await createDatabase(pg, 'seaking'), await createDatabase(pg, 'relay')];
  const common = { ...SECRETS, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn' };
  const started: ServiceProcess[] = [];
  let redisEnv: Record<string, string> = {};
  let prefix: string | undefined;
  if (options.redis) {
    const url = typeof options.redis === 'string' ? options.redis : await testRedisUrl();
    if (!url) throw new Error('this test needs Redis: start one on 127.0.0.1:6379 or set TEST_REDIS_URL');
    prefix = `im-e2e-${process.pid}-${Date.now().toString(36)}:`;
    redisEnv = { REDIS_URL: url, REDIS_PREFIX: prefix };
  }
  const cleanRedis = async () => {
    // A Redis Cluster (several nodes) is the test's own, torn down with everything in it.
    if (!prefix || redisEnv.REDIS_URL!.includes(',')) return;
    const r = new Redis(redisEnv.REDIS_URL!, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await r.connect();
      const keys = await r.keys(`${prefix}*`);
      if (keys.length > 0) await r.del(...keys);
    } catch {
      // A Redis the test stopped: nothing to clean.
    } finally {
      r.disconnect();
    }
  };
  const spawn = async (name: string, port: number, env: Record<string, string>) => {
    const s = await spawnService({ name, entry: entry(name), port, env: { ...common, ...env } });
    started.push(s);
    // A service that fails by itself (not stopped or killed by the test) says why in the test's output.
    void s.exited.then((code) => {
      if (code !== null && code !== 0) console.error(`${name} on port ${port} exited with code ${code}; its last output:\n${s.output().split('\n').slice(-40).join('\n')}`);
    });
    return s;
  };
  try {
    const seakingEnv = { DATABASE_URL: dbs[0]!.url, ...options.seakingEnv };
    let seaking = await spawn('seaking', await freePort(), seakingEnv);
    const relayEnv = { DATABASE_URL: dbs[1]!.url, ...options.relayEnv };
    const relays: ServiceProcess[] = [];
    for (let i = 0; i < (options.relays ?? 1); i++) relays.push(await spawn('relay', await freePort(), relayEnv));
    const gatewayEnv = (i: number) => ({
      // Tests sign up many users from one address; the tests of these limits turn them on.
      REGISTER_PER_ADDRESS: '0',
      CODES_PER_ADDRESS: '0',
      SEAKING_URL: seaking.url,
      RELAY_URL: relays[i % relays.length]!.url,
      GATEWAY_ID: `gw-test-${i + 1}`,
      ...redisEnv,
      ...options.gatewayEnv,
    });
    const gateways: ServiceProcess[] = [];
    for (let i = 0; i < (options.gateways ?? 1); i++) gateways.push(await spawn('gateway', await freePort(), gatewayEnv(i)));
    const https = gateways.map((g) => new ImHttp(g.url));
    return {
      http: https[0]!,
      gatewayUrl: gateways[0]!.url,
      get seaking() {
        return seaking;
      },
      get relay() {
        return relays[0]!;
      },
      get gateway() {
        return gateways[0]!;
      },
      relays,
      gateways,
      https,
      databases: { seaking: dbs[0]!.url, relay: dbs[1]!.url },
      restartSeaking: async () => (seaking = await spawn('seaking', seaking.port, seakingEnv)),
      restartRelay: async (i) => (relays[i] = await spawn('relay', relays[i]!.port, relayEnv)),
      restartGateway: async (i) => (gateways[i] = await spawn('gateway', gateways[i]!.port, gatewayEnv(i))),
      stop: async () => {
        await Promise.all(started.map((s) => s.stop('SIGKILL')));
        await Promise.all(dbs.map((d) => d.drop()));
        await cleanRedis();
        if (pg.embedded && !options.postgres) await pg.stop();
      },
    };
  } catch (err) {
    await Promise.all(started.map((s) => s.stop('SIGKILL')));
    await Promise.all(dbs.map((d) => d.drop()));
    throw err;
  }
}

let userCounter = 0;

export interface TestUser {
  session: Session;
  userId: string;
  username: string;
  password: string;
  connect(options?: { useHeader?: boolean }): Promise<ImSocket>;
}

/** Registers and logs in a fresh user. */
export async function newUser(cluster: Cluster, prefix = 'user', login: Partial<LoginRequest> = {}): Promise<TestUser> {
  const username = `${prefix}${Date.now().toString(36)}${++userCounter}`.slice(0, 32);
  const password = 'correct horse battery';
  await cluster.http.register({ username, password });
  const session = await cluster.http.login({ username, password, ...login });
  return {
    session,
    userId: session.user.user_id,
    username,
    password,
    connect: (options) => ImSocket.connect(cluster.http.wsUrl(), session.token, options),
  };
}

/** Makes two users friends through the real friend flow; returns their conversation id. */
export async function befriend(a: ImSocket, b: ImSocket, bUserId: string): Promise<string> {
  const { request_id } = await a.request('send_friend_request', { user_id: bUserId, message: 'hi' });
  const { conversation_id } = await b.request('accept_friend_request', { request_id });
  return conversation_id;
}
