import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ImError, ImSocket } from '@im/client';
import type { Notice } from '@im/protocol';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from './cluster.js';

const code = (expected: string, field?: string) => (e: ImError) => e.code === expected && (field === undefined || e.field === field);

/** A user reaches only what the contract lets them reach; each refusal has its code. */
describe('friends and conversations: refusals', () => {
  let cluster: Cluster;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let a: ImSocket;
  let b: ImSocket;
  let c: ImSocket;

  before(async () => {
    cluster = await startCluster();
    [alice, bob, carol] = await Promise.all([newUser(cluster, 'alice'), newUser(cluster, 'bob'), newUser(cluster, 'carol')]);
    [a, b, c] = await Promise.all([alice.connect(), bob.connect(), carol.connect()]);
  });

  after(async () => {
    for (const s of [a, b, c]) s?.terminate();
    await cluster?.stop();
  });

  test('friend requests: to oneself, to nobody, twice, and only the recipient answers', async () => {
    await assert.rejects(a.request('send_friend_request', { user_id: alice.userId }), code('bad_request', 'user_id'));
    await assert.rejects(a.request('send_friend_request', { user_id: 'u-no-such-user' }), code('not_found'));
    const { request_id } = await a.request('send_friend_request', { user_id: carol.userId });
    await assert.rejects(a.request('send_friend_request', { user_id: carol.userId }), code('conflict'));
    await assert.rejects(a.request('accept_friend_request', { request_id }), code('not_found'));
    await assert.rejects(b.request('accept_friend_request', { request_id }), code('not_found'));
    await assert.rejects(c.request('accept_friend_request', { request_id: 'r-no-such-request' }), code('not_found'));
    assert.deepEqual(await c.request('reject_friend_request', { request_id }), {});
    await assert.rejects(c.request('accept_friend_request', { request_id }), code('not_found'));
    await assert.rejects(c.request('reject_friend_request', { request_id }), code('not_found'));
    assert.deepEqual((await a.request('get_friends')).friends, []);
  });

  test('asking someone who already asked you makes you friends at once', async () => {
    const first = await b.request('send_friend_request', { user_id: carol.userId });
    const notice = b.next<Notice>('notice', (n) => n.type === 'friend_accepted');
    const second = await c.request('send_friend_request', { user_id: bob.userId });
    assert.deepEqual(second, { request_id: first.request_id, status: 'accepted' });
    assert.equal(((await notice) as Notice & { user_id: string }).user_id, carol.userId);
    await assert.rejects(b.request('send_friend_request', { user_id: carol.userId }), code('conflict'));
    await assert.rejects(c.request('send_friend_request', { user_id: bob.userId }), code('conflict'));
  });

  test('two users asking each other at the same moment end up friends once', async () => {
    const [x, y] = await Promise.all([newUser(cluster, 'x'), newUser(cluster, 'y')]);
    const [sx, sy] = await Promise.all([x.connect(), y.connect()]);
    const results = await Promise.all([
      sx.request('send_friend_request', { user_id: y.userId }),
      sy.request('send_friend_request', { user_id: x.userId }),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), ['accepted', 'pending']);
    assert.equal(results[0].request_id, results[1].request_id);
    assert.deepEqual((await sx.request('get_friends')).friends.map((f) => f.user_id), [y.userId]);
    assert.deepEqual((await sy.request('get_friends')).friends.map((f) => f.user_id), [x.userId]);
    const [cx, cy] = await Promise.all([
      sx.request('create_conversation', { peer_user_id: y.userId }),
      sy.request('create_conversation', { peer_user_id: x.userId }),
    ]);
    assert.equal(cx.conversation.conversation_id, cy.conversation.conversation_id);
    sx.terminate();
    sy.terminate();
  });

  test('create_conversation: oneself, nobody, and strangers are refused', async () => {
    await assert.rejects(a.request('create_conversation', { peer_user_id: alice.userId }), code('bad_request'));
    await assert.rejects(a.request('create_conversation', { peer_user_id: 'u-nobody' }), code('not_found'));
    await assert.rejects(a.request('create_conversation', { peer_user_id: bob.userId }), code('forbidden'));
  });

  test('outsiders can neither read nor write a conversation; unknown ones are not_found', async () => {
    const conversationId = await befriend(a, b, bob.userId);
    await a.sendText(conversationId, 'private');
    await assert.rejects(c.request('sync', { conversation_id: conversationId }), code('forbidden'));
    await assert.rejects(c.sendText(conversationId, 'intrusion'), code('forbidden'));
    await assert.rejects(c.request('get_conversation_members', { conversation_id: conversationId }), code('forbidden'));
    await assert.rejects(c.request('subscribe', { conversation_id: conversationId }), code('forbidden'));
    await assert.rejects(c.request('sync', { conversation_id: 'c-no-such' }), code('not_found'));
    await assert.rejects(c.sendText('c-no-such', 'hello'), code('not_found'));
    const { events } = await b.request('sync', { conversation_id: conversationId });
    assert.deepEqual(events.map((e) => e.content), ['private']);
    assert.ok((await c.request('get_conversations')).conversations.every((x) => x.conversation_id !== conversationId));
  });

  test('after a friend is deleted the conversation stays readable and refuses new events', async () => {
    const { conversations } = await a.request('get_conversations');
    const conversationId = conversations.find((x) => x.peer_user_id === bob.userId)!.conversation_id;
    const deleted = b.next<Notice>('notice', (n) => n.type === 'friend_deleted');
    assert.deepEqual(await a.request('delete_friend', { user_id: bob.userId }), {});
    assert.deepEqual(await deleted, { type: 'friend_deleted', user_id: alice.userId });
    await assert.rejects(a.sendText(conversationId, 'still there?'), code('forbidden'));
    await assert.rejects(b.sendText(conversationId, 'still there?'), code('forbidden'));
    assert.equal((await b.request('sync', { conversation_id: conversationId })).events.length, 1);
    await assert.rejects(a.request('delete_friend', { user_id: bob.userId }), code('not_found'));
    await assert.rejects(a.request('create_conversation', { peer_user_id: bob.userId }), code('forbidden'));
    // Becoming friends again reopens the same conversation.
    assert.equal(await befriend(a, b, bob.userId), conversationId);
    assert.equal((await b.sendText(conversationId, 'welcome back')).seq, 2);
  });

  test('get_user_info shows phone and email only in one\'s own record and leaves unknown ids out', async () => {
    const { users } = await a.request('get_user_info', { user_ids: [alice.userId, bob.userId, 'u-nobody'] });
    assert.deepEqual(users.map((u) => u.user_id), [alice.userId, bob.userId]);
    assert.ok('email' in users[0]!);
    assert.ok(!('email' in users[1]!) && !('phone' in users[1]!));
    assert.equal(users[1]!.username, bob.username);
  });
});
