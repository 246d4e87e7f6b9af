import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { WebSocket } from 'ws';
import { testRedisUrl } from '@im/devkit';
import { createLogger } from '@im/kit';
import { Connection } from '../ws/connection.js';
import { LocalConnections } from '../ws/local-connections.js';
import { RedisRouter } from './redis-router.js';
import { InProcessRouter, type ClusterSignal, type Router } from './router.js';

/** A socket that records what it was sent; the router never touches anything else. */
class FakeSocket {
  readyState = 1;
  bufferedAmount = 0;
  sent: Uint8Array[] = [];
  closedWith: number | undefined;
  send(bytes: Uint8Array): void {
    this.sent.push(bytes);
  }
  close(code: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }
  terminate(): void {
    this.readyState = 3;
  }
  ping(): void {}
}

interface Node {
  router: Router;
  open(userId: string): Promise<{ conn: Connection; socket: FakeSocket; first: boolean }>;
  signals: ClusterSignal[];
}

const limits = { eventRate: 0, commandRate: 0, maxBufferedBytes: 1 << 20, badFramesPerMinute: 10, maxInFlight: 64 };
const logger = createLogger({ service: 'test', level: 'error' });

function node(make: (local: LocalConnections) => Router): Node {
  const local = new LocalConnections();
  const router = make(local);
  const signals: ClusterSignal[] = [];
  router.onSignal((s) => signals.push(s));
  return {
    router,
    signals,
    open: async (userId) => {
      const socket = new FakeSocket();
      const conn = new Connection(socket as unknown as WebSocket, userId, `s-${userId}`, Date.now() + 60_000, limits, Date.now());
      return { conn, socket, first: await router.connected(conn) };
    },
  };
}

async function eventually(check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * One suite, run against every router: a lone in-process gateway and two gateways sharing
 * a real Redis. `a` and `b` are the same node for the in-process router.
 */
function contract(name: string, setup: () => Promise<{ a: Node; b: Node; stop: () => Promise<void> }>): void {
  describe(`router contract: ${name}`, () => {
    let a: Node;
    let b: Node;
    let stop: () => Promise<void>;
    const bytes = Uint8Array.from([1, 2, 3]);
    let n = 0;
    const user = () => `u-${process.pid}-${Date.now()}-${++n}`;

    before(async () => {
      ({ a, b, stop } = await setup());
    });

    after(async () => {
      await stop?.();
    });

    test('delivers to every socket of a user wherever it is, except the excluded one', async () => {
      const u = user();
      const x = await a.open(u);
      const y = await b.open(u);
      assert.equal(x.first, true);
      assert.equal(y.first, false);
      // Each gateway hears of the other's socket a moment after it registered.
      await eventually(() => a.router.reaches(u) && b.router.reaches(u));
      a.router.deliver([u], bytes, x.conn.id);
      await eventually(() => y.socket.sent.length === 1);
      assert.equal(x.socket.sent.length, 0);
      b.router.deliver([u, user()], bytes);
      await eventually(() => x.socket.sent.length === 1 && y.socket.sent.length === 2);
    });

    test('subscription-only deliveries reach subscribed sockets only', async () => {
      const u = user();
      const x = await b.open(u);
      const y = await b.open(u);
      x.conn.subscriptions = new Set(['c1']);
      await eventually(() => a.router.reaches(u));
      a.router.deliver([u], bytes, undefined, 'c1');
      await eventually(() => x.socket.sent.length === 1);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(y.socket.sent.length, 0);
    });

    test('the per-user limit closes the oldest sockets anywhere with 4002', async () => {
      const u = user();
      const first = await a.open(u);
      await b.open(u);
      await a.open(u);
      assert.equal(first.socket.closedWith, undefined);
      await b.open(u);
      await eventually(() => first.socket.closedWith === 4002);
    });

    test('presence: online while any socket is open, last_seen after the last closes', async () => {
      const u = user();
      const never = user();
      const x = await a.open(u);
      const y = await b.open(u);
      assert.deepEqual((await a.router.presence([u])).map((p) => p.online), [true]);
      assert.equal(await a.router.disconnected(x.conn), false);
      assert.deepEqual([...(await b.router.online([u, never]))], [u]);
      const before = Date.now();
      assert.equal(await b.router.disconnected(y.conn), true);
      const [p, q] = await a.router.presence([u, never]);
      assert.equal(p!.online, false);
      assert.ok(p!.last_seen! >= before);
      assert.deepEqual(q, { user_id: never, online: false, last_seen: null });
    });

    test('a user whose last socket closed is not reached any more; one who comes back is', async () => {
      const u = user();
      const x = await b.open(u);
      await eventually(() => a.router.reaches(u));
      await b.router.disconnected(x.conn);
      await eventually(() => !a.router.reaches(u));
      const y = await b.open(u);
      await eventually(() => a.router.reaches(u));
      a.router.deliver([u], bytes);
      await eventually(() => y.socket.sent.length === 1);
      assert.equal(x.socket.sent.length, 0);
    });

    test('signals run on every gateway, the sender included', async () => {
      const signal: ClusterSignal = { type: 'invalidate_conversations', conversation_ids: ['c9'] };
      a.router.broadcast(signal);
      await eventually(() => a.signals.length >= 1 && b.signals.length >= 1);
      assert.deepEqual(b.signals.at(-1), signal);
    });

    test('stats count the cluster', async () => {
      const stats = await a.router.stats();
      assert.equal(stats.gateways, a === b ? 1 : 2);
      assert.ok(stats.connections >= 0 && stats.online_users > 0);
    });
  });
}

const options = { maxConnPerUser: 3 };

contract('in-process', async () => {
  const a = node((local) => new InProcessRouter(local, { gatewayId: 'solo', ...options }));
  return { a, b: a, stop: async () => undefined };
});

contract('redis', async () => {
  const url = await testRedisUrl();
  assert.ok(url, 'the Redis router suite needs Redis (127.0.0.1:6379 or TEST_REDIS_URL)');
  const prefix = `im-router-test-${process.pid}-${Date.now()}:`;
  const clients: Redis[] = [];
  const make = (id: string) =>
    node((local) => {
      const redis = new Redis(url, { maxRetriesPerRequest: 1 });
      const sub = new Redis(url);
      clients.push(redis, sub);
      return new RedisRouter(local, { gatewayId: id, ...options, prefix, heartbeatMs: 200, deadAfterMs: 2000 }, redis, sub, logger);
    });
  const a = make('gw-a');
  const b = make('gw-b');
  await a.router.start();
  await b.router.start();
  // Each must have seen the other's heartbeat.
  await new Promise((r) => setTimeout(r, 500));
  return {
    a,
    b,
    stop: async () => {
      await a.router.stop();
      await b.router.stop();
      const cleanup = new Redis(url);
      const keys = await cleanup.keys(`${prefix}*`);
      if (keys.length > 0) await cleanup.del(...keys);
      cleanup.disconnect();
      for (const c of clients) c.disconnect();
    },
  };
});
