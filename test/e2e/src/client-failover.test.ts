import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Ack } from '@im/protocol';
import { newUser, startCluster, type Cluster } from './cluster.js';
import { openClient, range, sleep, until, type Recorded } from './client-helpers.js';

/** Sends `count` texts a little apart, calling `midway` once half are under way; resolves with every ack. */
async function sendSpread(sender: Recorded, conversationId: string, count: number, midway: () => Promise<unknown>): Promise<Ack[]> {
  const sends: Array<Promise<Ack>> = [];
  for (let i = 1; i <= count; i++) {
    sends.push(sender.client.sendText(conversationId, `message ${i}`));
    if (i === Math.floor(count / 2)) await midway();
    await sleep(25);
  }
  return Promise.all(sends);
}

/** What every test here proves: each send was acked once, at seqs 1..n, and each client delivered exactly 1..n. */
async function assertExactStream(acks: Ack[], count: number, conversationId: string, clients: Recorded[]): Promise<void> {
  assert.deepEqual(acks.map((a) => a.seq).sort((a, b) => a - b), range(count));
  for (const c of clients) {
    await until(() => c.seqs(conversationId).length >= count, `${count} events at ${c.client.userId}`);
    await sleep(300);
    assert.deepEqual(c.seqs(conversationId), range(count), 'each event once, in seq order');
  }
  // The stream carries what was sent, in order.
  const texts = clients[0]!.events.filter((e) => e.conversation_id === conversationId).map((e) => e.content);
  assert.deepEqual(texts, range(count).map((i) => `message ${i}`));
}

describe('ImClient through failures: a gateway killed, the relay killed', () => {
  let cluster: Cluster;
  const clients: Recorded[] = [];

  before(async () => {
    cluster = await startCluster({ gateways: 2, redis: true });
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.client.close()));
    await cluster?.stop();
  });

  async function pair() {
    const alice = await newUser(cluster, 'alice');
    const bob = await newUser(cluster, 'bob');
    const a = await openClient(cluster, alice);
    const b = await openClient(cluster, bob);
    // alice's second device starts on the other gateway.
    const a2 = await openClient(cluster, alice, { url: [...cluster.gateways].reverse().map((g) => g.url) });
    clients.push(a, b, a2);
    const { request_id } = await a.client.sendFriendRequest(bob.userId);
    const { conversation_id } = await b.client.acceptFriendRequest(request_id);
    return { a, b, a2, conversation_id };
  }

  test('a gateway SIGKILLed mid-send: every send is acked, every client delivers exactly 1..N', async () => {
    const { a, b, a2, conversation_id } = await pair();
    assert.equal(a.client.url, cluster.gateways[0]!.url);
    assert.equal(b.client.url, cluster.gateways[0]!.url);
    const N = 40;
    const acks = await sendSpread(a, conversation_id, N, () => cluster.gateways[0]!.stop('SIGKILL'));
    await assertExactStream(acks, N, conversation_id, [b, a, a2]);
    // Both clients on the killed gateway went through reconnecting and landed on the other one.
    for (const c of [a, b]) {
      assert.ok(c.states.some((s) => s.state === 'reconnecting'), 'reconnected');
      assert.equal(c.client.state, 'open');
      assert.equal(c.client.url, cluster.gateways[1]!.url);
    }
    await cluster.restartGateway(0);
  });

  test('the relay SIGKILLed and restarted mid-send: every send is acked, every client delivers exactly 1..N', async () => {
    const { a, b, a2, conversation_id } = await pair();
    const N = 40;
    const acks = await sendSpread(a, conversation_id, N, async () => {
      await cluster.relay.stop('SIGKILL');
      await sleep(700);
      await cluster.restartRelay(0);
    });
    await assertExactStream(acks, N, conversation_id, [b, a, a2]);
    assert.equal(a.client.pending().length, 0, 'the outbox is empty');
  });
});
