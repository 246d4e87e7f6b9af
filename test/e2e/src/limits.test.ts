import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { ImError, ImSocket } from '@im/client';
import type { Ack } from '@im/protocol';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from './cluster.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Heartbeats, per-socket limits, slow consumers and dependencies that go away. */
describe('limits and degraded dependencies', () => {
  let cluster: Cluster;
  let alice: TestUser, bob: TestUser;
  let conv: string;

  before(async () => {
    cluster = await startCluster({ gatewayEnv: { PING_INTERVAL: '1', IDLE_TIMEOUT: '2', MAX_BUFFERED_BYTES: '16384' } });
    [alice, bob] = (await Promise.all([newUser(cluster, 'alice'), newUser(cluster, 'bob')])) as [TestUser, TestUser];
    const a = await alice.connect();
    const b = await bob.connect();
    conv = await befriend(a, b, bob.userId);
    a.terminate();
    b.terminate();
  });

  after(async () => {
    await cluster?.stop();
  });

  test('more than EVENT_RATE events a second (burst twice that) get rate_limited, and those are not stored', async () => {
    const s = await alice.connect();
    // All at once, within the in-flight cap (128): the first 100 pass, then 50 a second.
    const started = Date.now();
    const outcomes: Array<Ack | ImError> = await Promise.all(
      Array.from({ length: 120 }, (_, n) => s.sendText(conv, `burst ${n}`, { cid: `burst-${n}` }).catch((e: ImError) => e)),
    );
    const limited = outcomes.filter((o) => o instanceof ImError && o.code === 'rate_limited');
    const acked = outcomes.filter((o): o is Ack => !(o instanceof ImError));
    const elapsed = (Date.now() - started) / 1000;
    // A burst of 100, then 50 a second.
    assert.ok(acked.length >= 100 && acked.length <= 100 + Math.ceil(50 * elapsed) + 1, `${acked.length} acked in ${elapsed} s`);
    assert.equal(limited.length + acked.length, 120);
    assert.ok(limited.length > 0);
    const stored = new Set<string>();
    let after = 0;
    for (;;) {
      const page = await s.request('sync', { conversation_id: conv, after_seq: after, limit: 200 });
      page.events.forEach((e) => stored.add(e.cid));
      if (!page.has_more) break;
      after = page.events.at(-1)!.seq;
    }
    assert.equal(stored.size, acked.length);
    s.terminate();
  });

  test('a burst of 2 x EVENT_RATE events sent at once is all acked: the in-flight cap lets it through', async () => {
    const s = await alice.connect();
    const outcomes = await Promise.all(Array.from({ length: 100 }, (_, n) => s.sendText(conv, `at once ${n}`, { cid: `at-once-${n}` }).catch((e: ImError) => e)));
    const refused = outcomes.filter((o) => o instanceof ImError);
    assert.deepEqual(refused.map((e) => (e as ImError).code), []);
    s.terminate();
  });

  test('a socket silent past the idle timeout closes with 4008; one that answers pings stays', async () => {
    // This client does not answer pings: it is silent.
    const silent = new WebSocket(cluster.http.wsUrl(alice.session.token), { autoPong: false });
    const code = new Promise<number>((resolve) => silent.on('close', (c) => resolve(c)));
    const lively = await bob.connect();
    assert.equal(await code, 4008);
    await sleep(500);
    assert.ok((await lively.request('ping')).ts > 0);
    lively.terminate();
  });

  test('a consumer that stops reading is dropped; nobody waits for it', async () => {
    const slow = await bob.connect();
    const healthy = await bob.connect();
    const closed = slow.closed;
    // Stop reading from the socket: the server's send buffer fills up.
    (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const sender = await alice.connect();
    let received = 0;
    healthy.on('event', () => received++);
    const big = 'x'.repeat(16000);
    for (let n = 0; n < 60; n++) {
      await Promise.all(Array.from({ length: 10 }, (_, k) => sender.sendText(conv, big, { cid: `slow-${n}-${k}` }).catch(() => undefined)));
      await sleep(120);
    }
    await new Promise<void>((resolve) => {
      const check = () => (received > 0 ? resolve() : setTimeout(check, 20));
      check();
    });
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const { code } = await closed;
    assert.notEqual(code, 1000);
    assert.ok(received > 0);
    assert.ok((await healthy.request('ping')).ts > 0);
    sender.terminate();
    healthy.terminate();
  });

  test('seaking away: its commands get unavailable, /health is 503, and all recovers when it returns', async () => {
    const s = await alice.connect();
    await cluster.seaking.stop('SIGKILL');
    await assert.rejects(s.request('get_friends'), (e: ImError) => e.code === 'unavailable');
    const health = await fetch(`${cluster.gatewayUrl}/health`);
    assert.equal(health.status, 503);
    assert.deepEqual(((await health.json()) as { status: string; checks: Record<string, string> }).checks.seaking, 'down');
    // A new socket cannot have its session checked: refused as unavailable, not unauthorized.
    await assert.rejects(alice.connect(), (e: ImError) => e.status === 503);
    // The socket stays open, and stores of already cached conversations go on.
    assert.ok((await s.sendText(conv, 'seaking is away')).seq > 0);
    await cluster.restartSeaking();
    assert.equal((await s.request('get_friends')).friends.length, 1);
    assert.equal((await fetch(`${cluster.gatewayUrl}/health`)).status, 200);
    s.terminate();
  });

  test('relay away: events get unavailable and are not acked; all recovers when it returns', async () => {
    const s = await alice.connect();
    await cluster.relay.stop('SIGKILL');
    await assert.rejects(s.sendText(conv, 'relay is away', { cid: 'away-1' }), (e: ImError) => e.code === 'unavailable');
    assert.equal((await fetch(`${cluster.gatewayUrl}/health`)).status, 503);
    await cluster.restartRelay(0);
    const ack = await s.sendText(conv, 'relay is away', { cid: 'away-1' });
    assert.equal(ack.duplicate, false);
    s.terminate();
  });

  test('seaking and relay stop gracefully on SIGTERM', async () => {
    assert.equal(await cluster.relay.stop('SIGTERM'), 0);
    assert.equal(await cluster.seaking.stop('SIGTERM'), 0);
    await cluster.restartRelay(0);
    await cluster.restartSeaking();
  });
});
