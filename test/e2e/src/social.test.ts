import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ImError, ImSocket } from '@im/client';
import type { Notice } from '@im/protocol';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from './cluster.js';

const code = (expected: string, field?: string) => (e: ImError) => e.code === expected && (field === undefined || e.field === field);

describe('blocks, remarks, profiles and search', () => {
  let cluster: Cluster;
  let alice: TestUser, bob: TestUser, carol: TestUser;
  let a: ImSocket, b: ImSocket, c: ImSocket;

  before(async () => {
    cluster = await startCluster();
    [alice, bob, carol] = (await Promise.all([newUser(cluster, 'alice'), newUser(cluster, 'bob'), newUser(cluster, 'carol')])) as [TestUser, TestUser, TestUser];
    [a, b, c] = (await Promise.all([alice.connect(), bob.connect(), carol.connect()])) as [ImSocket, ImSocket, ImSocket];
  });

  after(async () => {
    for (const s of [a, b, c]) s?.terminate();
    await cluster?.stop();
  });

  test('remarks are private to the one who sets them', async () => {
    await befriend(a, b, bob.userId);
    assert.deepEqual(await a.request('set_friend_remark', { user_id: bob.userId, remark: 'Bobby' }), {});
    assert.equal((await a.request('get_friends')).friends[0]!.remark, 'Bobby');
    assert.equal((await b.request('get_friends')).friends[0]!.remark, '');
    await assert.rejects(a.request('set_friend_remark', { user_id: carol.userId, remark: 'x' }), code('forbidden', 'user_id'));
    await assert.rejects(a.request('set_friend_remark', { user_id: 'u-nobody', remark: 'x' }), code('not_found', 'user_id'));
    await assert.rejects(a.request('set_friend_remark', { user_id: bob.userId, remark: 'x'.repeat(65) }), code('bad_request'));
  });

  test('blocking ends the friendship, rejects pending requests and silences the conversation', async () => {
    const conversationId = (await a.request('create_conversation', { peer_user_id: bob.userId })).conversation.conversation_id;
    await c.request('send_friend_request', { user_id: alice.userId });
    const deleted = b.next<Notice>('notice', (n) => n.type === 'friend_deleted');
    assert.deepEqual(await a.request('block_user', { user_id: bob.userId }), {});
    await deleted;
    assert.deepEqual(await a.request('block_user', { user_id: bob.userId }), {});
    assert.deepEqual((await a.request('get_blocked')).user_ids, [bob.userId]);
    assert.deepEqual((await a.request('get_friends')).friends, []);
    await assert.rejects(b.sendText(conversationId, 'please'), code('forbidden'));
    await assert.rejects(a.sendText(conversationId, 'bye'), code('forbidden'));
    await assert.rejects(b.request('send_friend_request', { user_id: alice.userId }), code('forbidden'));
    await assert.rejects(a.request('send_friend_request', { user_id: bob.userId }), code('forbidden'));
    await assert.rejects(b.request('create_conversation', { peer_user_id: alice.userId }), code('forbidden'));
    await assert.rejects(a.request('block_user', { user_id: alice.userId }), code('bad_request'));
    await assert.rejects(a.request('block_user', { user_id: 'u-nobody' }), code('not_found'));

    // Carol's pending request to alice was not touched by blocking bob.
    assert.equal((await a.request('get_friend_requests')).requests.length, 1);
    await a.request('block_user', { user_id: carol.userId });
    assert.deepEqual((await a.request('get_friend_requests')).requests, []);
  });

  test('unblocking restores nothing, and unblocking someone not blocked succeeds', async () => {
    assert.deepEqual(await a.request('unblock_user', { user_id: bob.userId }), {});
    assert.deepEqual(await a.request('unblock_user', { user_id: bob.userId }), {});
    assert.deepEqual(await a.request('unblock_user', { user_id: 'u-nobody' }), {});
    assert.deepEqual((await a.request('get_blocked')).user_ids, [carol.userId]);
    assert.deepEqual((await a.request('get_friends')).friends, []);
    const conversationId = await befriend(b, a, alice.userId);
    assert.ok((await b.sendText(conversationId, 'friends again')).seq > 0);
  });

  test('update_profile changes nickname and avatar, validated', async () => {
    const { user } = await b.request('update_profile', { nickname: 'Bob the Builder', avatar: 'https://img.example/bob.png' });
    assert.equal(user.nickname, 'Bob the Builder');
    assert.equal(user.avatar, 'https://img.example/bob.png');
    assert.equal((await a.request('get_user_info', { user_ids: [bob.userId] })).users[0]!.nickname, 'Bob the Builder');
    await assert.rejects(b.request('update_profile', { nickname: '' }), code('bad_request', 'nickname'));
    await assert.rejects(b.request('update_profile', { nickname: 'n'.repeat(65) }), code('bad_request'));
  });

  test('search_users: prefix of username or nickname, exact phone or email, nothing private leaked', async () => {
    const dana = `dana${Date.now().toString(36)}`;
    await cluster.http.register({ username: dana, password: 'long enough pass', nickname: 'Zed Zebra', phone: '+15550001111', email: `${dana}@example.org` });
    const byPrefix = await c.request('search_users', { query: dana.slice(0, 6).toUpperCase() });
    assert.ok(byPrefix.users.some((u) => u.username === dana));
    assert.ok(byPrefix.users.every((u) => !('phone' in u) && !('email' in u)));
    assert.equal((await c.request('search_users', { query: 'zed z' })).users[0]?.username, dana);
    assert.equal((await c.request('search_users', { query: '+15550001111' })).users[0]?.username, dana);
    assert.equal((await c.request('search_users', { query: `${dana.toUpperCase()}@EXAMPLE.ORG` })).users[0]?.username, dana);
    assert.deepEqual((await c.request('search_users', { query: '+1555000' })).users, []);
    assert.deepEqual((await c.request('search_users', { query: '%' })).users, []);
    await assert.rejects(c.request('search_users', { query: '' }), code('bad_request'));
    await assert.rejects(c.request('search_users', { query: 'a', limit: 51 }), code('bad_request'));
    // Someone who blocked you does not show up.
    assert.deepEqual((await c.request('search_users', { query: alice.username })).users, []);
    assert.equal((await b.request('search_users', { query: alice.username })).users[0]?.user_id, alice.userId);
  });

  test('logging in by phone or email works like by username', async () => {
    const erin = `erin${Date.now().toString(36)}`;
    await cluster.http.register({ username: erin, password: 'long enough pass', phone: '+15550002222', email: `${erin}@example.org` });
    assert.equal((await cluster.http.login({ phone: '+15550002222', password: 'long enough pass' })).user.username, erin);
    assert.equal((await cluster.http.login({ email: `${erin.toUpperCase()}@example.org`, password: 'long enough pass' })).user.username, erin);
    await assert.rejects(
      cluster.http.register({ username: `${erin}x`, password: 'long enough pass', phone: '+15550002222' }),
      (e: ImError) => e.status === 409 && e.field === 'phone',
    );
    await assert.rejects(
      cluster.http.register({ username: `${erin}y`, password: 'long enough pass', email: `${erin}@EXAMPLE.org` }),
      (e: ImError) => e.status === 409 && e.field === 'email',
    );
  });
});
