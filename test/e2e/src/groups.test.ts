import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ImError, ImSocket } from '@im/client';
import type { Group, ImEvent, Notice } from '@im/protocol';
import { newUser, startCluster, type Cluster, type TestUser } from './cluster.js';

const code = (expected: string, field?: string) => (e: ImError) => e.code === expected && (field === undefined || e.field === field);

describe('groups', () => {
  let cluster: Cluster;
  let owner: TestUser, admin: TestUser, member: TestUser, late: TestUser, outsider: TestUser;
  let so: ImSocket, sa: ImSocket, sm: ImSocket, sl: ImSocket, sx: ImSocket;
  let group: Group;

  before(async () => {
    cluster = await startCluster({ seakingEnv: { MAX_GROUP_SIZE: '5' } });
    [owner, admin, member, late, outsider] = await Promise.all(['owner', 'admin', 'member', 'late', 'outsider'].map((n) => newUser(cluster, n))) as [TestUser, TestUser, TestUser, TestUser, TestUser];
    [so, sa, sm, sl, sx] = await Promise.all([owner, admin, member, late, outsider].map((u) => u.connect())) as [ImSocket, ImSocket, ImSocket, ImSocket, ImSocket];
  });

  after(async () => {
    for (const s of [so, sa, sm, sl, sx]) s?.terminate();
    await cluster?.stop();
  });

  test('create_group makes the creator owner, tells every member, and needs no friendship', async () => {
    const joined = sm.next<Notice>('notice', (n) => n.type === 'group_joined');
    const r = await so.request('create_group', { name: 'Team', member_ids: [admin.userId, member.userId, admin.userId] });
    group = r.group;
    assert.equal(group.owner_id, owner.userId);
    assert.equal(group.member_count, 3);
    assert.equal(group.conversation_id, r.conversation_id);
    assert.deepEqual(((await joined) as Notice & { group: Group }).group.group_id, group.group_id);
    const { members } = await sm.request('get_group_members', { group_id: group.group_id });
    assert.deepEqual(
      members.map((m) => [m.user_id, m.role]).sort(),
      [[owner.userId, 'owner'], [admin.userId, 'member'], [member.userId, 'member']].sort(),
    );
    assert.deepEqual((await sa.request('get_groups')).groups.map((g) => g.group_id), [group.group_id]);
    const { conversations } = await sm.request('get_conversations');
    assert.deepEqual(conversations.map((c) => [c.conversation_id, c.type, c.group_id, c.name]), [[group.conversation_id, 'group', group.group_id, 'Team']]);
  });

  test('group refusals: bad names, unknown members, too many members', async () => {
    await assert.rejects(so.request('create_group', { name: '', member_ids: [] }), code('bad_request', 'name'));
    await assert.rejects(so.request('create_group', { name: 'x'.repeat(65), member_ids: [] }), code('bad_request'));
    await assert.rejects(so.request('create_group', { name: 'Ghosts', member_ids: ['u-nobody'] }), code('not_found'));
    const five = [admin, member, late, outsider].map((u) => u.userId);
    await assert.rejects(so.request('create_group', { name: 'Big', member_ids: [...five, 'u-extra'] }), code('too_large'));
  });

  test('events fan out to every member; outsiders can neither read nor see the group', async () => {
    const toMember = sm.next<ImEvent>('event');
    const toAdmin = sa.next<ImEvent>('event');
    const ack = await so.sendText(group.conversation_id, 'welcome, team');
    assert.equal(ack.seq, 1);
    assert.equal((await toMember).content, 'welcome, team');
    assert.equal((await toAdmin).seq, 1);
    await assert.rejects(sx.sendText(group.conversation_id, 'let me in'), code('forbidden'));
    await assert.rejects(sx.request('sync', { conversation_id: group.conversation_id }), code('forbidden'));
    await assert.rejects(sx.request('get_group_info', { group_id: group.group_id }), code('forbidden'));
    await assert.rejects(sx.request('get_group_members', { group_id: group.group_id }), code('forbidden'));
    await assert.rejects(sx.request('get_group_info', { group_id: 'g-nothing' }), code('not_found'));
  });

  test('roles: only the owner sets roles; admins and owner add members; plain members cannot', async () => {
    await assert.rejects(sa.request('set_group_role', { group_id: group.group_id, user_id: member.userId, role: 'admin' }), code('forbidden'));
    assert.deepEqual(await so.request('set_group_role', { group_id: group.group_id, user_id: admin.userId, role: 'admin' }), {});
    await assert.rejects(so.request('set_group_role', { group_id: group.group_id, user_id: outsider.userId, role: 'admin' }), code('not_found'));
    await assert.rejects(sm.request('add_group_members', { group_id: group.group_id, user_ids: [late.userId] }), code('forbidden'));
    await assert.rejects(sm.request('update_group', { group_id: group.group_id, name: 'Mine' }), code('forbidden'));
  });

  test('a member added later sees only what comes after, and from then on everything', async () => {
    await so.sendText(group.conversation_id, 'before late joined');
    const joined = sl.next<Notice>('notice', (n) => n.type === 'group_joined');
    const updated = sm.next<Notice>('notice', (n) => n.type === 'group_updated');
    const r = await sa.request('add_group_members', { group_id: group.group_id, user_ids: [late.userId, member.userId] });
    assert.deepEqual(r.added, [late.userId]);
    await joined;
    assert.equal(((await updated) as Notice & { group: Group }).group.member_count, 4);
    const history = await sl.request('sync', { conversation_id: group.conversation_id });
    assert.deepEqual(history.events, []);
    assert.equal(history.max_seq, 2);
    const pushed = sl.next<ImEvent>('event');
    await sm.sendText(group.conversation_id, 'hello late');
    assert.equal((await pushed).seq, 3);
    assert.deepEqual((await sl.request('sync', { conversation_id: group.conversation_id, after_seq: 0 })).events.map((e) => e.seq), [3]);
    const conv = (await sl.request('get_conversations')).conversations[0]!;
    assert.deepEqual([conv.read_seq, conv.unread, conv.last_event?.seq], [2, 1, 3]);
  });

  test('the size limit holds when adding', async () => {
    // 4 members now; the limit is 5.
    await assert.rejects(so.request('add_group_members', { group_id: group.group_id, user_ids: [outsider.userId, 'u-x'] }), code('not_found'));
    const extra = await newUser(cluster, 'extra');
    await assert.rejects(so.request('add_group_members', { group_id: group.group_id, user_ids: [outsider.userId, extra.userId] }), code('too_large'));
  });

  test('update_group by an admin notifies members', async () => {
    const updated = sm.next<Notice>('notice', (n) => n.type === 'group_updated');
    const r = await sa.request('update_group', { group_id: group.group_id, name: 'Team Rocket', announcement: 'standup at 10' });
    assert.equal(r.group.name, 'Team Rocket');
    assert.equal(r.group.announcement, 'standup at 10');
    assert.equal(((await updated) as Notice & { group: Group }).group.name, 'Team Rocket');
    assert.equal((await sm.request('get_group_info', { group_id: group.group_id })).group.announcement, 'standup at 10');
  });

  test('removal: admins remove plain members only; the removed lose access at once', async () => {
    await assert.rejects(sm.request('remove_group_member', { group_id: group.group_id, user_id: late.userId }), code('forbidden'));
    await assert.rejects(sa.request('remove_group_member', { group_id: group.group_id, user_id: owner.userId }), code('forbidden'));
    await assert.rejects(sa.request('remove_group_member', { group_id: group.group_id, user_id: outsider.userId }), code('not_found'));
    const removed = sl.next<Notice>('notice', (n) => n.type === 'group_removed');
    assert.deepEqual(await sa.request('remove_group_member', { group_id: group.group_id, user_id: late.userId }), {});
    assert.deepEqual(await removed, { type: 'group_removed', group_id: group.group_id });
    await assert.rejects(sl.sendText(group.conversation_id, 'am I still here?'), code('forbidden'));
    await assert.rejects(sl.request('sync', { conversation_id: group.conversation_id }), code('forbidden'));
    // And they receive nothing more.
    const leaked = sl.next<ImEvent>('event', () => true, 300).then(() => true, () => false);
    await so.sendText(group.conversation_id, 'after removal');
    assert.equal(await leaked, false);
  });

  test('leaving: members leave; the owner must transfer first; transfer needs a member', async () => {
    await assert.rejects(so.request('leave_group', { group_id: group.group_id }), code('conflict'));
    await assert.rejects(sa.request('transfer_group_owner', { group_id: group.group_id, user_id: member.userId }), code('forbidden'));
    await assert.rejects(so.request('transfer_group_owner', { group_id: group.group_id, user_id: outsider.userId }), code('not_found'));
    assert.deepEqual(await so.request('transfer_group_owner', { group_id: group.group_id, user_id: admin.userId }), {});
    assert.equal((await sm.request('get_group_info', { group_id: group.group_id })).group.owner_id, admin.userId);
    assert.deepEqual(await so.request('leave_group', { group_id: group.group_id }), {});
    await assert.rejects(so.request('get_group_info', { group_id: group.group_id }), code('forbidden'));
    assert.equal((await sm.request('get_group_info', { group_id: group.group_id })).group.member_count, 2);
  });

  test('dissolving: owner only; the conversation stays readable and takes no new events', async () => {
    await assert.rejects(sm.request('dissolve_group', { group_id: group.group_id }), code('forbidden'));
    const dissolved = sm.next<Notice>('notice', (n) => n.type === 'group_dissolved');
    assert.deepEqual(await sa.request('dissolve_group', { group_id: group.group_id }), {});
    assert.deepEqual(await dissolved, { type: 'group_dissolved', group_id: group.group_id });
    await assert.rejects(sm.sendText(group.conversation_id, 'anyone?'), code('forbidden'));
    assert.ok((await sm.request('sync', { conversation_id: group.conversation_id })).events.length >= 3);
    await assert.rejects(sa.request('update_group', { group_id: group.group_id, name: 'Again' }), code('forbidden'));
    assert.deepEqual((await sm.request('get_groups')).groups, []);
    assert.ok((await sm.request('get_group_info', { group_id: group.group_id })).group.dissolved_at! > 0);
  });
});
