import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ImError, ImSocket } from '@im/client';
import type { ErrorCode, UploadedFile } from '@im/protocol';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from './cluster.js';

const refusedWith = (codes: ErrorCode[]) => (e: ImError) => codes.includes(e.code);

/**
 * What leaving a group, being removed from it, and joining it late take away: search, its
 * files, read-by, hiding and prefs reach only what a member may read now, within their join
 * point.
 */
describe('former and late members of a group', () => {
  let cluster: Cluster;
  let alice: TestUser, bob: TestUser, carol: TestUser, dave: TestUser;
  let sa: ImSocket, sb: ImSocket, sc: ImSocket, sd: ImSocket;
  let groupId: string;
  let conv: string;
  let message: { event_id: string; seq: number };
  let file: UploadedFile;

  before(async () => {
    cluster = await startCluster();
    [alice, bob, carol, dave] = (await Promise.all(['alice', 'bob', 'carol', 'dave'].map((n) => newUser(cluster, n)))) as [TestUser, TestUser, TestUser, TestUser];
    [sa, sb, sc, sd] = (await Promise.all([alice, bob, carol, dave].map((u) => u.connect()))) as [ImSocket, ImSocket, ImSocket, ImSocket];
    for (const [s, u] of [[sb, bob], [sc, carol], [sd, dave]] as const) await befriend(sa, s, u.userId);
    const created = await sa.request('create_group', { name: 'Plans', member_ids: [bob.userId, carol.userId] });
    groupId = created.group.group_id;
    conv = created.conversation_id;
    message = await sa.sendText(conv, 'the quarterly figures');
    file = await cluster.http.uploadFile(alice.session.token, Buffer.from('figures'), { name: 'figures.txt', mime: 'text/plain' });
    await sa.sendFile(conv, file, { name: 'figures.txt', caption: 'quarterly sheet' });
    // While members, both could reach all of it.
    for (const [s, u] of [[sb, bob], [sc, carol]] as const) {
      assert.deepEqual((await s.request('search_messages', { query: 'quarterly', conversation_id: conv })).events.length, 2);
      assert.equal((await fetch(file.url, { headers: { authorization: `Bearer ${u.session.token}` } })).status, 200);
    }
    await sb.request('leave_group', { group_id: groupId });
    await sa.request('remove_group_member', { group_id: groupId, user_id: carol.userId });
    await sa.request('add_group_members', { group_id: groupId, user_ids: [dave.userId] });
  });

  after(async () => {
    for (const s of [sa, sb, sc, sd]) s?.terminate();
    await cluster?.stop();
  });

  const former = () => [
    { who: 'who left', s: sb, u: bob },
    { who: 'who was removed', s: sc, u: carol },
  ];

  test('search finds nothing of the group any more, and searching in it is refused', async () => {
    for (const { who, s } of former()) {
      assert.deepEqual((await s.request('search_messages', { query: 'quarterly' })).events, [], who);
      await assert.rejects(s.request('search_messages', { query: 'quarterly', conversation_id: conv }), refusedWith(['forbidden', 'not_found']), who);
    }
    // The late member finds nothing from before their join point, the others all of it.
    assert.deepEqual((await sd.request('search_messages', { query: 'quarterly' })).events, []);
    assert.equal((await sa.request('search_messages', { query: 'quarterly' })).events.length, 2);
  });

  test("the group's files are 404 to them, by header and by query token", async () => {
    for (const { who, u } of [...former(), { who: 'who joined late', u: dave }]) {
      assert.equal((await fetch(file.url, { headers: { authorization: `Bearer ${u.session.token}` } })).status, 404, who);
      assert.equal((await fetch(`${file.url}?token=${encodeURIComponent(u.session.token)}`)).status, 404, who);
    }
  });

  test('read-by, hiding and prefs of the group are refused', async () => {
    for (const { who, s } of former()) {
      await assert.rejects(s.request('get_read_receipts', { conversation_id: conv, seq: message.seq }), refusedWith(['forbidden']), who);
      await assert.rejects(s.request('hide_event', { event_id: message.event_id }), refusedWith(['not_found']), who);
      await assert.rejects(s.request('set_conversation_prefs', { conversation_id: conv, pinned: true }), refusedWith(['forbidden']), who);
    }
    // The late member is a member: prefs are theirs to set, but what came before them is not.
    await assert.rejects(sd.request('get_read_receipts', { conversation_id: conv, seq: message.seq }), refusedWith(['not_found']));
    await assert.rejects(sd.request('hide_event', { event_id: message.event_id }), refusedWith(['not_found']));
    assert.deepEqual(await sd.request('set_conversation_prefs', { conversation_id: conv, muted: true }), {});
    // What the remaining members see is unchanged by the refusals.
    const receipts = await sa.request('get_read_receipts', { conversation_id: conv, seq: message.seq });
    assert.deepEqual([...receipts.read, ...receipts.unread].sort(), [alice.userId].sort());
  });
});
