import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ImSocket } from '@im/client';
import { startRedisCluster, type RedisCluster } from '@im/devkit';
import type { Ack, ImEvent } from '@im/protocol';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from './cluster.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A counter's value on a gateway's /metrics (0 when not yet counted). */
async function metric(url: string, name: string, kind: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`kind="${kind}"`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/** Every seq of the conversation a member can sync now. */
async function syncedSeqs(s: ImSocket, conversationId: string): Promise<Set<number>> {
  const seqs = new Set<number>();
  let after = 0;
  for (;;) {
    const page = await s.request('sync', { conversation_id: conversationId, after_seq: after, limit: 200 });
    for (const e of page.events) seqs.add(e.seq);
    if (!page.has_more || page.events.length === 0) return seqs;
    after = page.events.at(-1)!.seq;
  }
}

/**
 * Two gateways joined through a real Redis Cluster (3 masters, 3 replicas): deliveries and
 * signals on sharded pub/sub, keys spread over the shards. A master dies; its replica takes
 * over and the gateways carry on by themselves.
 */
describe('two gateways over a Redis Cluster', () => {
  let redis: RedisCluster;
  let cluster: Cluster;
  let alice: TestUser, bob: TestUser;
  let a: ImSocket, b: ImSocket;
  let conv: string;

  before(async () => {
    redis = await startRedisCluster({ nodeTimeoutMs: 1000 });
    cluster = await startCluster({ gateways: 2, redis: redis.url, gatewayEnv: { PRESENCE_HEARTBEAT: '1', PRESENCE_TTL: '15' } });
    [alice, bob] = (await Promise.all([newUser(cluster, 'alice'), newUser(cluster, 'bob')])) as [TestUser, TestUser];
    a = await ImSocket.connect(cluster.https[0]!.wsUrl(), alice.session.token);
    b = await ImSocket.connect(cluster.https[1]!.wsUrl(), bob.session.token);
  });

  after(async () => {
    for (const s of [a, b]) s?.terminate();
    await cluster?.stop();
    await redis?.stop();
  });

  test('chat crosses gateways both ways, counted on /metrics', async () => {
    conv = await befriend(a, b, bob.userId);
    const published = await metric(cluster.gateways[0]!.url, 'im_router_publishes_total', 'delivery');
    const toBob = b.next<ImEvent>('event', (e) => e.content === 'from gateway 1');
    await a.sendText(conv, 'from gateway 1');
    await toBob;
    const toAlice = a.next<ImEvent>('event', (e) => e.content === 'from gateway 2');
    await b.sendText(conv, 'from gateway 2');
    await toAlice;
    assert.ok((await metric(cluster.gateways[0]!.url, 'im_router_publishes_total', 'delivery')) > published);
    assert.ok((await metric(cluster.gateways[1]!.url, 'im_router_received_total', 'delivery')) > 0);
    const stats = await cluster.https[1]!.stats();
    assert.equal(stats.gateways, 2);
    assert.ok(stats.online_users >= 2, JSON.stringify(stats));
    const health = await fetch(`${cluster.gateways[0]!.url}/health`);
    assert.deepEqual(((await health.json()) as { checks: Record<string, string> }).checks, { seaking: 'ok', relay: 'ok', redis: 'ok' });
  });

  test('the master of a gateway\'s inbox dies: chat crosses again by itself and no acked event is lost', async () => {
    const acked: Ack[] = [];
    let sending = true;
    // Alice keeps chatting through the failover; stores need no Redis, so every send is acked.
    const sender = (async () => {
      for (let i = 0; sending; i++) {
        acked.push(await a.sendText(conv, `during ${i}`));
        await sleep(20);
      }
    })();
    // Bob's gateway listens on its inbox channel; the master serving that slot is killed.
    const owner = await redis.ownerOf('{g:gw-test-2}:inbox');
    await redis.failover(owner);
    sending = false;
    await sender;
    assert.ok(acked.length > 0);

    // Pushes resume without anything restarted: poll with fresh messages until one arrives live.
    const crossesTo = async (from: ImSocket, to: ImSocket, label: string) => {
      const deadline = Date.now() + 30_000;
      for (let i = 0; ; i++) {
        const content = `${label} ${i}`;
        const live = to.next<ImEvent>('event', (e) => e.content === content, 1000).then(
          () => true,
          () => false,
        );
        const ack = await from.sendText(conv, content);
        if (from === a) acked.push(ack);
        if (await live) return i;
        if (Date.now() > deadline) throw new Error(`${label}: no live push within 30 s of the failover`);
      }
    };
    await crossesTo(a, b, 'to bob after failover');
    await crossesTo(b, a, 'to alice after failover');
    // It was the subscription of bob's gateway that had to move.
    assert.match(cluster.gateways[1]!.output(), /sharded subscription lost/);

    // Bob syncs and finds every acked seq.
    const seqs = await syncedSeqs(b, conv);
    const missing = acked.filter((k) => !seqs.has(k.seq)).map((k) => k.seq);
    assert.deepEqual(missing, []);
    const health = await fetch(`${cluster.gateways[1]!.url}/health`);
    assert.equal(health.status, 200);
  });
});
