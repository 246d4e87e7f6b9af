import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { ImError, ImSocket } from '@im/client';
import { freePort } from '@im/devkit';
import type { Ack, ImEvent } from '@im/protocol';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from './cluster.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(fn: () => Promise<T>, check: (v: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const v = await fn();
      if (check(v)) return v;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(200);
  }
}

/** Reads a whole conversation through sync. */
async function history(s: ImSocket, conversationId: string): Promise<ImEvent[]> {
  const all: ImEvent[] = [];
  let after = 0;
  for (;;) {
    const page = await s.request('sync', { conversation_id: conversationId, after_seq: after, limit: 200 });
    all.push(...page.events);
    if (!page.has_more) return all;
    after = page.events.at(-1)!.seq;
  }
}

/** Sends `count` messages with fixed cids, resending each until acked, reconnecting as needed. */
async function sendAll(connect: () => Promise<ImSocket>, conversationId: string, tag: string, count: number, acked: Map<string, Ack>): Promise<void> {
  let socket = await connect();
  for (let n = 0; n < count; n++) {
    const cid = `${tag}-${n}`;
    for (;;) {
      try {
        acked.set(cid, await socket.sendText(conversationId, cid, { cid }));
        break;
      } catch (err) {
        assert.ok(err instanceof ImError, String(err));
        // The gateway went away (or was draining): reconnect, to whichever answers, and resend.
        socket.terminate();
        await sleep(100);
        socket = await eventually(connect, () => true);
      }
    }
  }
  socket.terminate();
}

describe('failures: a gateway killed, a gateway drained, Redis restarted', () => {
  let cluster: Cluster;
  let redisPort: number;
  let redisProcess: ChildProcess | undefined;
  let alice: TestUser, bob: TestUser, carol: TestUser;
  let conv: string;

  const startRedis = async () => {
    redisProcess = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await sleep(300);
  };

  before(async () => {
    redisPort = await freePort();
    await startRedis();
    cluster = await startCluster({
      gateways: 2,
      redis: `redis://127.0.0.1:${redisPort}`,
      gatewayEnv: { PRESENCE_HEARTBEAT: '1', PRESENCE_TTL: '3', EVENT_RATE: '0', SHUTDOWN_GRACE: '5' },
    });
    [alice, bob, carol] = (await Promise.all([newUser(cluster, 'alice'), newUser(cluster, 'bob'), newUser(cluster, 'carol')])) as [TestUser, TestUser, TestUser];
    const a = await alice.connect();
    const b = await bob.connect();
    conv = await befriend(a, b, bob.userId);
    const c = await carol.connect();
    await befriend(c, b, bob.userId);
    c.terminate();
    a.terminate();
    b.terminate();
  });

  after(async () => {
    await cluster?.stop();
    redisProcess?.kill('SIGKILL');
  });

  // Connect to gateway `preferred`, or to the other when it does not answer.
  const connector = (user: TestUser, preferred: number) => async () => {
    try {
      return await ImSocket.connect(cluster.https[preferred]!.wsUrl(), user.session.token);
    } catch {
      return ImSocket.connect(cluster.https[1 - preferred]!.wsUrl(), user.session.token);
    }
  };

  test('kill -9 of a gateway while its clients send: they move over, resend, and nothing is lost or doubled', async () => {
    const acked = new Map<string, Ack>();
    const watcher = await ImSocket.connect(cluster.https[1]!.wsUrl(), bob.session.token);
    // Carol is connected only to the gateway about to die.
    const carolOnDoomed = await ImSocket.connect(cluster.https[0]!.wsUrl(), carol.session.token);
    assert.equal((await watcher.request('get_presence', { user_ids: [carol.userId] })).presence[0]!.online, true);
    const carolOffline = watcher.next<{ type: string; user_id: string; online: boolean }>('notice', (n) => n.type === 'presence' && n.user_id === carol.userId && !n.online, 20_000);
    const sending = Promise.all([
      sendAll(connector(alice, 0), conv, 'k-alice', 60, acked),
      sendAll(connector(bob, 0), conv, 'k-bob', 60, acked),
    ]);
    await eventually(async () => acked.size, (n) => n >= 30);
    await cluster.gateways[0]!.stop('SIGKILL');
    await sending;
    const events = await history(watcher, conv);
    assert.deepEqual(events.map((e) => e.seq), Array.from({ length: events.length }, (_, i) => i + 1));
    const counts = new Map<string, number>();
    for (const e of events) counts.set(e.cid, (counts.get(e.cid) ?? 0) + 1);
    assert.equal(acked.size, 120);
    for (const cid of acked.keys()) assert.equal(counts.get(cid), 1, `${cid} stored ${counts.get(cid) ?? 0} times`);

    // The dead gateway's entries stop counting within the presence TTL (3 s here, 30 s by default).
    await eventually(() => watcher.request('get_presence', { user_ids: [carol.userId] }), (r) => r.presence[0]?.online === false, 15_000);
    // Her friends hear she is gone, although no socket of hers closed anywhere that could tell.
    await carolOffline;
    await eventually(() => cluster.https[1]!.stats(), (s) => s.gateways === 1, 15_000);
    carolOnDoomed.terminate();
    watcher.terminate();
    await cluster.restartGateway(0);
  });

  test('SIGTERM drains a gateway: committed events are acked, sockets close with 1001', async () => {
    const socket = await ImSocket.connect(cluster.https[0]!.wsUrl(), alice.session.token);
    const results: Array<Promise<Ack | ImError>> = [];
    for (let n = 0; n < 50; n++) results.push(socket.sendText(conv, `drain-${n}`, { cid: `drain-${n}` }).catch((e: ImError) => e));
    await sleep(5);
    const exit = cluster.gateways[0]!.stop('SIGTERM');
    const closed = await socket.closed;
    assert.equal(closed.code, 1001);
    assert.equal(await exit, 0);
    const settled = await Promise.all(results);
    const acks = settled.filter((r): r is Ack => !(r instanceof ImError));
    const reader = await ImSocket.connect(cluster.https[1]!.wsUrl(), bob.session.token);
    const stored = new Set((await history(reader, conv)).map((e) => e.cid));
    for (const ack of acks) assert.ok(stored.has(ack.cid), `${ack.cid} acked but not stored`);
    reader.terminate();
    await cluster.restartGateway(0);
  });

  test('Redis restarted during traffic: commands that need it get unavailable, health says so, and all recovers', async () => {
    const a = await ImSocket.connect(cluster.https[0]!.wsUrl(), alice.session.token);
    const b = await ImSocket.connect(cluster.https[1]!.wsUrl(), bob.session.token);
    const crossing = b.next<ImEvent>('event', (e) => e.content === 'before');
    await a.sendText(conv, 'before');
    await crossing;

    redisProcess!.kill('SIGKILL');
    await sleep(300);
    await assert.rejects(b.request('get_presence', { user_ids: [alice.userId] }), (e: ImError) => e.code === 'unavailable');
    const health = await fetch(`${cluster.gateways[0]!.url}/health`);
    assert.equal(health.status, 503);
    assert.equal(((await health.json()) as { checks: { redis: string } }).checks.redis, 'down');
    // Storing does not need Redis: the sender still gets its ack.
    assert.ok((await a.sendText(conv, 'while redis is down')).seq > 0);

    await startRedis();
    await eventually(() => fetch(`${cluster.gateways[0]!.url}/health`).then((r) => r.status), (s) => s === 200);
    await eventually(() => fetch(`${cluster.gateways[1]!.url}/health`).then((r) => r.status), (s) => s === 200);
    // Routing entries are announced again: pushes cross gateways once more.
    await eventually(
      async () => {
        const got = b.next<ImEvent>('event', (e) => e.content.startsWith('after'), 1000);
        await a.sendText(conv, `after ${Date.now()}`);
        return got.then(() => true);
      },
      (ok) => ok,
    );
    const presence = await b.request('get_presence', { user_ids: [alice.userId] });
    assert.equal(presence.presence[0]!.online, true);
    a.terminate();
    b.terminate();
  });
});
