import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Kind, type ImSocket } from '@im/client';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from './cluster.js';

/**
 * Replies are back-pressured like pushes: a client that keeps asking for large pages and
 * never reads is dropped, instead of growing the gateway by megabytes per request.
 */
describe('attack: a client that asks and never reads', () => {
  let cluster: Cluster;
  let alice: TestUser, bob: TestUser;
  let conv: string;
  let bystander: ImSocket;

  before(async () => {
    cluster = await startCluster({ gatewayEnv: { EVENT_RATE: '0', MAX_BUFFERED_BYTES: String(1024 * 1024) } });
    [alice, bob] = (await Promise.all([newUser(cluster, 'alice'), newUser(cluster, 'bob')])) as [TestUser, TestUser];
    const a = await alice.connect();
    bystander = await bob.connect();
    conv = await befriend(a, bystander, bob.userId);
    // 200 messages of 15 KB: one full sync page is ~3 MB of events, capped per page.
    for (let wave = 0; wave < 5; wave++) {
      await Promise.all(Array.from({ length: 40 }, (_, i) => a.sendEvent({ conversation_id: conv, kind: Kind.TEXT, content: 'z'.repeat(15000), tags: [], cid: `bp-${wave}-${i}` })));
    }
    a.terminate();
  });

  after(async () => {
    bystander?.terminate();
    await cluster?.stop();
  });

  test('sync requests piling up unread drop the socket; others carry on', async () => {
    const reader = await alice.connect();
    const raw = (reader.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    raw.pause();
    const closed = reader.closed;
    assert.equal((await cluster.http.stats()).connections, 2);
    // Each page is about 512 KiB: a client that keeps asking and never reads is soon past the bound.
    for (let i = 0; i < 120; i++) void reader.request('sync', { conversation_id: conv, limit: 200 }).catch(() => undefined);
    // The gateway drops it while it is still not reading: only the bystander stays.
    const deadline = Date.now() + 15_000;
    while ((await cluster.http.stats()).connections !== 1) {
      assert.ok(Date.now() < deadline, 'the socket that never reads is still open');
      await new Promise((r) => setTimeout(r, 100));
    }
    raw.resume();
    // Dropped without a closing handshake: the client sees an abnormal close.
    assert.equal((await closed).code, 1006);
    assert.ok((await bystander.request('ping')).ts > 0);
  });

  test('a client that reads gets every large page', async () => {
    const s = await alice.connect();
    let after = 0;
    let total = 0;
    for (;;) {
      const page = await s.request('sync', { conversation_id: conv, after_seq: after, limit: 200 });
      total += page.events.length;
      assert.ok(page.events.length < 200, 'a page is capped in bytes, not only in count');
      if (!page.has_more) break;
      after = page.events.at(-1)!.seq;
    }
    assert.equal(total, 200);
    s.terminate();
  });
});
