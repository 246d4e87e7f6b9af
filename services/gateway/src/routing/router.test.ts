import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { WebSocket } from 'ws';
import { startRedisCluster, testRedisUrl, type RedisCluster } from '@im/devkit';
import { createLogger, createRegistry } from '@im/kit';
import { Connection } from '../ws/connection.js';
import { LocalConnections } from '../ws/local-connections.js';
import { connectRedis, type RedisConnections } from './bus.js';
import { RouterMetrics, type MessageKind } from './metrics.js';
import { RedisRouter } from './redis-router.js';
import { parseRedisUrl } from './redis-target.js';
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
  /** How often the router re-established its subscription (resync). */
  resyncs: number;
  /** The router's counters, for routers that publish (none in process). */
  metrics?: RouterMetrics;
}

/** A counter's value now. */
async function count(counter: RouterMetrics['publishes'], kind: MessageKind): Promise<number> {
  return (await counter.get()).values.find((v) => v.labels.kind === kind)?.value ?? 0;
}

const limits = { eventRate: 0, commandRate: 0, maxBufferedBytes: 1 << 20, badFramesPerMinute: 10, maxInFlight: 64 };
const logger = createLogger({ service: 'test', level: 'error' });

function node(make: (local: LocalConnections, metrics: RouterMetrics) => Router): Node {
  const local = new LocalConnections();
  const metrics = new RouterMetrics(createRegistry('test'));
  const router = make(local, metrics);
  const signals: ClusterSignal[] = [];
  router.onSignal((s) => signals.push(s));
  const n: Node = {
    router,
    signals,
    resyncs: 0,
    ...(router instanceof RedisRouter ? { metrics } : {}),
    open: async (userId) => {
      const socket = new FakeSocket();
      const conn = new Connection(socket as unknown as WebSocket, userId, `s-${userId}`, Date.now() + 60_000, limits, Date.now());
      return { conn, socket, first: await router.connected(conn) };
    },
  };
  router.onResync(() => n.resyncs++);
  return n;
}

async function eventually(check: () => boolean | Promise<boolean>, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
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
      const y = await b.open(u);
      // A socket registered elsewhere is reachable once its announcement arrives.
      await eventually(() => a.router.reaches(u));
      const x = await a.open(u);
      assert.equal(y.first, true);
      assert.equal(x.first, false);
      // Announcements from one gateway arrive in order: once b hears of w, it heard of u here.
      const w = user();
      await a.open(w);
      await eventually(() => b.router.reaches(w));
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

    test('signals run on every gateway, the sender included, published once per other gateway', async () => {
      const signal: ClusterSignal = { type: 'invalidate_conversations', conversation_ids: ['c9'] };
      const published = a.metrics ? await count(a.metrics.publishes, 'signal') : 0;
      a.router.broadcast(signal);
      await eventually(() => a.signals.length >= 1 && b.signals.length >= 1);
      assert.deepEqual(b.signals.at(-1), signal);
      if (a.metrics) assert.equal((await count(a.metrics.publishes, 'signal')) - published, 1);
    });

    test('a delivery goes once to the other gateway holding recipients, and is counted there', async () => {
      const u = user();
      const v = user();
      const w = user();
      const y = await b.open(u);
      const z = await b.open(v);
      // A recipient on the sending gateway itself costs no hand-over.
      const x = await a.open(w);
      await eventually(() => a.router.reaches(u) && a.router.reaches(v));
      const published = a.metrics ? await count(a.metrics.publishes, 'delivery') : 0;
      const received = b.metrics ? await count(b.metrics.received, 'delivery') : 0;
      const out = a.metrics ? (await a.metrics.deliveriesOut.get()).values[0]?.value ?? 0 : 0;
      const into = b.metrics ? (await b.metrics.deliveriesIn.get()).values[0]?.value ?? 0 : 0;
      a.router.deliver([u, v, w], bytes);
      a.router.deliver([u], bytes);
      await eventually(() => y.socket.sent.length === 2 && z.socket.sent.length === 1 && x.socket.sent.length === 1);
      if (a.metrics && b.metrics) {
        // Two deliveries of one moment to one gateway: two hand-overs, one message.
        assert.equal((await count(a.metrics.publishes, 'delivery')) - published, 1);
        assert.equal(((await a.metrics.deliveriesOut.get()).values[0]?.value ?? 0) - out, 2);
        await eventually(async () => (await count(b.metrics!.received, 'delivery')) - received === 1);
        await eventually(async () => ((await b.metrics!.deliveriesIn.get()).values[0]?.value ?? 0) - into === 2);
      }
    });

    test('the per-user limit counts sockets opened on both gateways at the same moment', async () => {
      const u = user();
      const opened = await Promise.all([a, b, a, b, a].map(async (at) => ({ at, ...(await at.open(u)) })));
      // Five at once against a limit of three: two are closed, wherever they are.
      await eventually(() => opened.filter((o) => o.socket.closedWith === 4002).length === 2);
      for (const o of opened) if (o.socket.closedWith === 4002) await o.at.router.disconnected(o.conn);
      assert.deepEqual((await a.router.presence([u])).map((p) => p.online), [true]);
      const open = opened.filter((o) => o.socket.closedWith === undefined);
      assert.equal(open.length, 3);
      for (const o of open) await o.at.router.disconnected(o.conn);
      assert.deepEqual((await b.router.presence([u])).map((p) => p.online), [false]);
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

/** Two gateways sharing one Redis (a server or a cluster), each knowing of the other. */
async function twoGateways(url: string, prefix: string): Promise<{ a: Node; b: Node; connections: RedisConnections[] }> {
  const connections: RedisConnections[] = [];
  const make = async (id: string) => {
    const shared = connectRedis(parseRedisUrl(url, false), logger);
    connections.push(shared);
    await shared.connect();
    return node((local, metrics) => new RedisRouter(local, { gatewayId: id, ...options, prefix, heartbeatMs: 200, deadAfterMs: 2000 }, shared.redis, shared.bus, logger, metrics));
  };
  const a = await make('gw-a');
  const b = await make('gw-b');
  await a.router.start();
  await b.router.start();
  // Each must have heard of the other: a socket on each is announced to the other.
  const x = await a.open(`warm-a-${process.pid}`);
  const y = await b.open(`warm-b-${process.pid}`);
  await eventually(() => a.router.reaches(y.conn.userId) && b.router.reaches(x.conn.userId), 5000);
  return { a, b, connections };
}

contract('redis', async () => {
  const url = await testRedisUrl();
  assert.ok(url, 'the Redis router suite needs Redis (127.0.0.1:6379 or TEST_REDIS_URL)');
  const prefix = `im-router-test-${process.pid}-${Date.now()}:`;
  const { a, b, connections } = await twoGateways(url, prefix);
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
      for (const c of connections) c.close();
    },
  };
});

let redisCluster: RedisCluster | undefined;

contract('redis cluster', async () => {
  redisCluster = await startRedisCluster();
  const { a, b, connections } = await twoGateways(redisCluster.url, 'im-router-test:');
  return {
    a,
    b,
    stop: async () => {
      await a.router.stop();
      await b.router.stop();
      for (const c of connections) c.close();
      await redisCluster?.stop();
    },
  };
});

describe('router over a Redis Cluster: a master fails over', () => {
  let cluster: RedisCluster;
  let a: Node;
  let b: Node;
  let connections: RedisConnections[] = [];

  before(async () => {
    cluster = await startRedisCluster();
    ({ a, b, connections } = await twoGateways(cluster.url, 'im-failover-test:'));
  });

  after(async () => {
    await a?.router.stop();
    await b?.router.stop();
    for (const c of connections) c.close();
    await cluster?.stop();
  });

  test('the inbox subscription moves to the new master, resyncs, and deliveries cross again', async () => {
    const u = `u-${process.pid}-failover`;
    const y = await b.open(u);
    await eventually(() => a.router.reaches(u));
    a.router.deliver([u], Uint8Array.from([1]));
    await eventually(() => y.socket.sent.length === 1);
    const resyncs = b.resyncs;
    // The master holding gateway b's inbox channel (and its user list) dies. Heartbeats on
    // that master stop meanwhile, longer than the 2 s after which a gateway counts as dead.
    await cluster.failover(await cluster.ownerOf('{g:gw-b}:inbox'));
    await eventually(() => b.resyncs > resyncs, 30_000);
    // Deliveries published before the subscription moved are lost (clients sync); new ones arrive.
    let sent = 1;
    await eventually(() => {
      if (y.socket.sent.length > 1) return true;
      a.router.deliver([u], Uint8Array.from([++sent]));
      return false;
    }, 30_000);
    // The signals and routes carry on both ways. A signal sent while b still takes a for
    // dead (a's heartbeats may have lived on the lost master) goes nowhere, as a delivery
    // would: the resync covers what it stood for. Send until b hears of a again.
    const signal: ClusterSignal = { type: 'close_session', session_id: 's-x', code: 4003, reason: 'test' };
    let tries = 0;
    await eventually(() => {
      if (a.signals.some((s) => s.type === 'close_session')) return true;
      if (tries++ % 10 === 0) b.router.broadcast(signal);
      return false;
    }, 30_000);
    const v = `v-${process.pid}-failover`;
    const z = await a.open(v);
    await eventually(() => b.router.reaches(v), 30_000);
    b.router.deliver([v], Uint8Array.from([9]));
    await eventually(() => z.socket.sent.length === 1, 30_000);
  });
});
