import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImHttp, ImSocket, type LoginRequest } from '@im/client';
import { createDatabase, freePort, spawnService, testPostgres, type PostgresServer, type ServiceProcess, type TestDatabase } from '@im/devkit';
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
  stop(): Promise<void>;
}

export interface ClusterOptions {
  gatewayEnv?: Record<string, string>;
  seakingEnv?: Record<string, string>;
  relayEnv?: Record<string, string>;
}

let postgres: Promise<PostgresServer> | undefined;

/**
 * Starts the three real service processes against fresh databases and tears everything
 * down (databases included) on stop.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  postgres ??= testPostgres();
  const pg = await postgres;
  const dbs: TestDatabase[] = [await createDatabase(pg, 'seaking'), await createDatabase(pg, 'relay')];
  const common = { ...SECRETS, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn' };
  const [seakingPort, relayPort, gatewayPort] = [await freePort(), await freePort(), await freePort()];
  const started: ServiceProcess[] = [];
  try {
    const seaking = await spawnService({ name: 'seaking', entry: entry('seaking'), port: seakingPort, env: { ...common, DATABASE_URL: dbs[0]!.url, ...options.seakingEnv } });
    started.push(seaking);
    const relay = await spawnService({ name: 'relay', entry: entry('relay'), port: relayPort, env: { ...common, DATABASE_URL: dbs[1]!.url, ...options.relayEnv } });
    started.push(relay);
    const gateway = await spawnService({
      name: 'gateway',
      entry: entry('gateway'),
      port: gatewayPort,
      env: { ...common, SEAKING_URL: seaking.url, RELAY_URL: relay.url, GATEWAY_ID: 'gw-test', ...options.gatewayEnv },
    });
    started.push(gateway);
    return {
      http: new ImHttp(gateway.url),
      gatewayUrl: gateway.url,
      seaking,
      relay,
      gateway,
      stop: async () => {
        await Promise.all(started.map((s) => s.stop('SIGKILL')));
        await Promise.all(dbs.map((d) => d.drop()));
        if (pg.embedded) await pg.stop();
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
