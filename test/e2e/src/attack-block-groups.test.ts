import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ImSocket } from '@im/client';
import type { Notice } from '@im/protocol';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from './cluster.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A block must hold through groups: no group with the blocker, no messages, no presence. */
describe('attack: bypassing a block through groups', () => {
  let cluster: Cluster;
  let victim: TestUser, attacker: TestUser, friend: TestUser;
  let v: ImSocket, x: ImSocket, f: ImSocket;
  const notices: Notice[] = [];

  before(async () => {
    cluster = await startCluster();
    [victim, attacker, friend] = (await Promise.all([newUser(cluster, 'victim'), newUser(cluster, 'attacker'), newUser(cluster, 'friend')])) as [TestUser, TestUser, TestUser];
    [v, x, f] = (await Promise.all([victim.connect(), attacker.connect(), friend.connect()])) as [ImSocket, ImSocket, ImSocket];
    await befriend(v, x, attacker.userId);
    await v.request('block_user', { user_id: attacker.userId });
    v.on('notice', (n) => notices.push(n));
  });

  after(async () => {
    for (const s of [v, x, f]) s?.terminate();
    await cluster?.stop();
  });

  test('create_group leaves out whoever blocked the creator, silently', async () => {
    const { group, conversation_id } = await x.request('create_group', { name: 'trap', member_ids: [victim.userId, friend.userId] });
    assert.equal(group.member_count, 2);
    const { members } = await x.request('get_group_members', { group_id: group.group_id });
    assert.deepEqual(members.map((m) => m.user_id).sort(), [attacker.userId, friend.userId].sort());
    await x.sendText(conversation_id, 'can you hear me?');
    await sleep(300);
    assert.deepEqual(notices.filter((n) => n.type === 'group_joined'), []);
    assert.equal((await v.request('get_conversations')).conversations.some((c) => c.conversation_id === conversation_id), false);
  });

  test('add_group_members leaves them out too; someone they have not blocked may add them', async () => {
    const { group } = await x.request('create_group', { name: 'second try', member_ids: [friend.userId] });
    assert.deepEqual((await x.request('add_group_members', { group_id: group.group_id, user_ids: [victim.userId] })).added, []);
    await x.request('set_group_role', { group_id: group.group_id, user_id: friend.userId, role: 'admin' });
    assert.deepEqual((await f.request('add_group_members', { group_id: group.group_id, user_ids: [victim.userId] })).added, [victim.userId]);
  });

  test('presence of the blocker is hidden from the blocked user, even as a group co-member', async () => {
    // Victim and attacker now share the group above (added by the friend).
    assert.deepEqual((await x.request('get_presence', { user_ids: [victim.userId] })).presence, []);
    // The victim still sees who is in groups with them.
    assert.equal((await v.request('get_presence', { user_ids: [attacker.userId] })).presence.length, 1);
  });
});
