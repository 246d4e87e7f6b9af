import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { ImEvent, Notice } from '@im/protocol';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from './cluster.js';
import type { ImSocket } from '@im/client';

describe('two users chat end to end', () => {
  let cluster: Cluster;
  let alice: TestUser;
  let bob: TestUser;
  let a1: ImSocket;
  let a2: ImSocket;
  let b1: ImSocket;
  let conversationId: string;

  before(async () => {
    cluster = await startCluster();
    alice = await newUser(cluster, 'alice');
    bob = await newUser(cluster, 'bob');
    a1 = await alice.connect();
    a2 = await alice.connect({ useHeader: true });
    b1 = await bob.connect();
    // Off unless configured: the client offers it, the gateway declines.
    assert.equal(b1.ws.extensions, '');
  });

  after(async () => {
    for (const s of [a1, a2, b1]) s?.terminate();
    await cluster?.stop();
  });

  test('a friend request reaches the recipient as a notice, and acceptance opens a conversation', async () => {
    const requested = b1.next<Notice>('notice', (n) => n.type === 'friend_request');
    const { request_id, status } = await a1.request('send_friend_request', { user_id: bob.userId, message: 'hello bob' });
    assert.equal(status, 'pending');
    const notice = (await requested) as Notice & { request: { request_id: string; from_user_id: string; message: string } };
    assert.equal(notice.request.request_id, request_id);
    assert.equal(notice.request.from_user_id, alice.userId);
    assert.equal(notice.request.message, 'hello bob');

    const { requests } = await b1.request('get_friend_requests');
    assert.deepEqual(requests.map((r) => r.request_id), [request_id]);
    const outgoing = await a1.request('get_friend_requests', { direction: 'outgoing' });
    assert.deepEqual(outgoing.requests.map((r) => r.request_id), [request_id]);

    const accepted = a1.next<Notice>('notice', (n) => n.type === 'friend_accepted');
    const r = await b1.request('accept_friend_request', { request_id });
    conversationId = r.conversation_id;
    assert.deepEqual(await accepted, { type: 'friend_accepted', user_id: bob.userId, conversation_id: conversationId });

    const friends = await a1.request('get_friends');
    assert.equal(friends.friends.length, 1);
    assert.equal(friends.friends[0]!.user_id, bob.userId);
    assert.equal(friends.friends[0]!.online, true);
    assert.deepEqual((await b1.request('get_friend_requests')).requests, []);
  });

  test('create_conversation returns the same conversation for the pair, whoever asks', async () => {
    const fromAlice = await a1.request('create_conversation', { peer_user_id: bob.userId });
    const fromBob = await b1.request('create_conversation', { peer_user_id: alice.userId });
    assert.equal(fromAlice.conversation.conversation_id, conversationId);
    assert.equal(fromBob.conversation.conversation_id, conversationId);
    assert.equal(fromAlice.conversation.type, 'single');
    assert.equal(fromAlice.conversation.peer_user_id, bob.userId);
    const members = await a1.request('get_conversation_members', { conversation_id: conversationId });
    assert.deepEqual(members.members.map((m) => m.user_id).sort(), [alice.userId, bob.userId].sort());
  });

  test('messages both ways: acks after commit, seq 1..N, pushes to the peer and the sender\'s other socket', async () => {
    const toBob: ImEvent[] = [];
    const toA2: ImEvent[] = [];
    const toA1: ImEvent[] = [];
    const onB = (e: ImEvent) => toBob.push(e);
    const onA2 = (e: ImEvent) => toA2.push(e);
    const onA1 = (e: ImEvent) => toA1.push(e);
    b1.on('event', onB);
    a2.on('event', onA2);
    a1.on('event', onA1);

    const acks = [];
    for (let i = 1; i <= 5; i++) {
      acks.push(await a1.sendText(conversationId, `from alice ${i}`, { cid: `alice-${i}` }));
      acks.push(await b1.sendText(conversationId, `from bob ${i}`, { cid: `bob-${i}` }));
    }
    assert.deepEqual(acks.map((a) => a.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const ack of acks) {
      assert.match(ack.event_id, /^[0-9a-f]{64}$/);
      assert.equal(ack.conversation_id, conversationId);
      assert.equal(ack.duplicate, false);
    }

    await waitUntil(() => toBob.length === 5 && toA2.length === 10 && toA1.length === 5);
    assert.deepEqual(toBob.map((e) => e.content), [1, 2, 3, 4, 5].map((i) => `from alice ${i}`));
    assert.deepEqual(toA1.map((e) => e.content), [1, 2, 3, 4, 5].map((i) => `from bob ${i}`));
    assert.deepEqual(toA2.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // The sending socket never receives its own event back.
    assert.ok(toA1.every((e) => e.sender_id === bob.userId));

    const pushed = toBob[0]!;
    assert.equal(pushed.sender_id, alice.userId);
    assert.equal(pushed.kind, 1);
    assert.deepEqual(pushed.tags, []);
    assert.equal(pushed.cid, 'alice-1');
    const expectedId = crypto
      .createHash('sha256')
      .update(JSON.stringify([0, pushed.sender_id, pushed.conversation_id, pushed.created_at, pushed.kind, pushed.tags, pushed.content]))
      .digest('hex');
    assert.equal(pushed.id, expectedId);
    assert.equal(pushed.id, acks[0]!.event_id);

    b1.off('event', onB);
    a2.off('event', onA2);
    a1.off('event', onA1);
  });

  test('resending a cid returns the first ack with duplicate: true and stores nothing', async () => {
    const pushes: ImEvent[] = [];
    const onB = (e: ImEvent) => pushes.push(e);
    b1.on('event', onB);
    const first = await a1.sendText(conversationId, 'exactly once', { cid: 'once-1' });
    const again = await a1.sendText(conversationId, 'exactly once', { cid: 'once-1' });
    // Even from another socket of the same user, and with other content.
    const third = await a2.sendText(conversationId, 'changed', { cid: 'once-1' });
    assert.equal(first.duplicate, false);
    assert.deepEqual(again, { ...first, duplicate: true });
    assert.deepEqual(third, { ...first, duplicate: true });
    const next = await a1.sendText(conversationId, 'after', { cid: 'once-2' });
    assert.equal(next.seq, first.seq + 1);
    await waitUntil(() => pushes.length === 2);
    assert.deepEqual(pushes.map((e) => e.content), ['exactly once', 'after']);
    b1.off('event', onB);
  });

  test('sync: after, before and newest pages with has_more and max_seq', async () => {
    const all = await b1.request('sync', { conversation_id: conversationId, after_seq: 0, limit: 200 });
    assert.equal(all.max_seq, 12);
    assert.equal(all.has_more, false);
    assert.deepEqual(all.events.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

    const page = await b1.request('sync', { conversation_id: conversationId, after_seq: 3, limit: 4 });
    assert.deepEqual(page.events.map((e) => e.seq), [4, 5, 6, 7]);
    assert.equal(page.has_more, true);

    const older = await b1.request('sync', { conversation_id: conversationId, before_seq: 6, limit: 3 });
    assert.deepEqual(older.events.map((e) => e.seq), [3, 4, 5]);
    assert.equal(older.has_more, true);
    const oldest = await b1.request('sync', { conversation_id: conversationId, before_seq: 3, limit: 3 });
    assert.deepEqual(oldest.events.map((e) => e.seq), [1, 2]);
    assert.equal(oldest.has_more, false);

    const newest = await b1.request('sync', { conversation_id: conversationId, limit: 2 });
    assert.deepEqual(newest.events.map((e) => e.seq), [11, 12]);
    assert.equal(newest.has_more, true);
    assert.equal(newest.max_seq, 12);
  });

  test('get_conversations shows counters and the last message, newest first', async () => {
    const { conversations } = await b1.request('get_conversations');
    assert.equal(conversations.length, 1);
    const c = conversations[0]!;
    assert.equal(c.conversation_id, conversationId);
    assert.equal(c.max_seq, 12);
    assert.equal(c.read_seq, 0);
    // Alice sent 7 of the 12 (5 + the two once-* events).
    assert.equal(c.unread, 7);
    assert.equal(c.last_event?.seq, 12);
    assert.equal(c.last_event?.content, 'after');
    assert.equal(c.updated_at, c.last_event?.created_at);
  });

  test('get_conversations orders by newest activity across single and group conversations', async () => {
    const g1 = await a1.request('create_group', { name: 'first', member_ids: [bob.userId] });
    const g2 = await a1.request('create_group', { name: 'second', member_ids: [bob.userId] });
    await a1.sendText(g1.conversation_id, 'in first');
    await a1.sendText(conversationId, 'in single');
    await a1.sendText(g2.conversation_id, 'in second');
    const order = (await b1.request('get_conversations')).conversations.map((c) => c.conversation_id);
    assert.deepEqual(order, [g2.conversation_id, conversationId, g1.conversation_id]);
    await a1.sendText(g1.conversation_id, 'first again');
    const after = (await b1.request('get_conversations')).conversations;
    assert.deepEqual(after.map((c) => c.conversation_id), [g1.conversation_id, g2.conversation_id, conversationId]);
    assert.deepEqual([after[0]!.unread, after[0]!.last_event?.content, after[0]!.name], [2, 'first again', 'first']);
  });

  test('every service answers /health and /metrics (Prometheus text)', async () => {
    for (const [service, name] of [[cluster.gateway, 'gateway_command_duration_seconds'], [cluster.seaking, 'rpc_server_duration_seconds'], [cluster.relay, 'relay_commit_batch_size']] as const) {
      const health = await fetch(`${service.url}/health`);
      assert.equal(health.status, 200);
      assert.equal(((await health.json()) as { status: string }).status, 'ok');
      const metrics = await fetch(`${service.url}/metrics`);
      assert.match(metrics.headers.get('content-type') ?? '', /text\/plain/);
      const text = await metrics.text();
      assert.match(text, new RegExp(`# TYPE ${name} histogram`));
      assert.match(text, /process_resident_memory_bytes/);
    }
    const stats = await cluster.http.stats();
    assert.deepEqual(stats, { online_users: 2, connections: 3, gateways: 1 });
  });

  test('the gateway serves the web client at / with a strict CSP and hashed, long-cached assets', async () => {
    const root = await fetch(`${cluster.gatewayUrl}/`);
    assert.equal(root.status, 200);
    assert.match(root.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(root.headers.get('cache-control'), 'no-cache');
    const csp = root.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /object-src 'none'/);
    const html = await root.text();
    const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"><\/script>/.exec(html)?.[1];
    assert.ok(script, 'index.html loads one module script from /assets');
    assert.doesNotMatch(html, /<script>(?!<\/script>)/, 'no inline script');
    const asset = await fetch(`${cluster.gatewayUrl}${script}`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('content-type') ?? '', /javascript/);
    assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
    const missing = await fetch(`${cluster.gatewayUrl}/assets/nope.js`);
    assert.equal(missing.status, 404);
  });

  test('a ping is answered with pong, with or without id', async () => {
    const pong = await a1.request('ping');
    assert.ok(Math.abs(pong.ts - Date.now()) < 60_000);
    const frame = new Promise((resolve) => a1.once('frame', resolve));
    a1.notify('ping');
    assert.equal(((await frame) as { cmd: string }).cmd, 'pong');
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
