import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ImError, ImSocket } from '@im/client';
import { Kind, type Notice } from '@im/protocol';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from './cluster.js';

const code = (expected: string, field?: string) => (e: ImError) => e.code === expected && (field === undefined || e.field === field);
const HEX64 = 'ab'.repeat(32);

describe('hide_event, get_read_receipts, set_conversation_prefs', () => {
  let cluster: Cluster;
  let alice: TestUser, bob: TestUser, carol: TestUser, dave: TestUser;
  let sa: ImSocket, sb: ImSocket, sb2: ImSocket, sc: ImSocket, sd: ImSocket;
  let pair: string;

  before(async () => {
    cluster = await startCluster();
    [alice, bob, carol, dave] = (await Promise.all(['alice', 'bob', 'carol', 'dave'].map((n) => newUser(cluster, n)))) as [TestUser, TestUser, TestUser, TestUser];
    [sa, sb, sb2, sc, sd] = (await Promise.all([alice, bob, bob, carol, dave].map((u) => u.connect()))) as [ImSocket, ImSocket, ImSocket, ImSocket, ImSocket];
    pair = await befriend(sa, sb, bob.userId);
  });

  after(async () => {
    for (const s of [sa, sb, sb2, sc, sd]) s?.terminate();
    await cluster?.stop();
  });

  test('hide_event removes an event from the hider’s sync on every device, and from nobody else’s', async () => {
    const m1 = await sa.sendText(pair, 'one');
    const m2 = await sa.sendText(pair, 'two');
    const m3 = await sa.sendText(pair, 'three');
    const notice = sb2.next<Notice>('notice', (n) => n.type === 'event_hidden');
    assert.deepEqual(await sb.request('hide_event', { event_id: m2.event_id }), {});
    assert.deepEqual(await notice, { type: 'event_hidden', conversation_id: pair, event_id: m2.event_id });
    for (const s of [sb, sb2]) {
      const page = await s.request('sync', { conversation_id: pair, after_seq: 0 });
      assert.deepEqual(page.events.map((e) => e.content), ['one', 'three']);
    }
    assert.deepEqual((await sa.request('sync', { conversation_id: pair })).events.map((e) => e.content), ['one', 'two', 'three']);
    // Pages are counted after hidden events are left out: never short because of them.
    const first = await sb.request('sync', { conversation_id: pair, after_seq: 0, limit: 2 });
    assert.deepEqual([first.events.map((e) => e.seq), first.has_more], [[m1.seq, m3.seq], false]);
    const fromOne = await sb.request('sync', { conversation_id: pair, after_seq: m1.seq, limit: 1 });
    assert.deepEqual([fromOne.events.map((e) => e.seq), fromOne.has_more], [[m3.seq], false]);
    const back = await sb.request('sync', { conversation_id: pair, before_seq: m3.seq, limit: 1 });
    assert.deepEqual([back.events.map((e) => e.seq), back.has_more], [[m1.seq], false]);
    // Idempotent: again succeeds, and the other device hears nothing new. Hiding another
    // event is the barrier: its notice comes the same way, after any for the second hide.
    const heard: Notice[] = [];
    const listen = (n: Notice) => heard.push(n);
    sb2.on('notice', listen);
    try {
      assert.deepEqual(await sb.request('hide_event', { event_id: m2.event_id }), {});
      const scratch = await sa.sendText(pair, 'scratch');
      const barrier = sb2.next<Notice>('notice', (n) => n.type === 'event_hidden' && n.event_id === scratch.event_id);
      await sb.request('hide_event', { event_id: scratch.event_id });
      await barrier;
      assert.deepEqual(heard.filter((n) => n.type === 'event_hidden'), [{ type: 'event_hidden', conversation_id: pair, event_id: scratch.event_id }]);
    } finally {
      sb2.off('notice', listen);
    }
  });

  test('hidden events leave the hider’s unread count and last event', async () => {
    const before = (await sb.request('get_conversations')).conversations.find((c) => c.conversation_id === pair)!;
    const last = await sa.sendText(pair, 'four');
    const withFour = (await sb.request('get_conversations')).conversations.find((c) => c.conversation_id === pair)!;
    assert.equal(withFour.unread, before.unread + 1);
    assert.equal(withFour.last_event?.id, last.event_id);
    await sb.request('hide_event', { event_id: last.event_id });
    const after = (await sb.request('get_conversations')).conversations.find((c) => c.conversation_id === pair)!;
    assert.equal(after.unread, before.unread);
    assert.equal(after.last_event?.content, 'three');
    const forAlice = (await sa.request('get_conversations')).conversations.find((c) => c.conversation_id === pair)!;
    assert.equal(forAlice.last_event?.id, last.event_id);
  });

  test('hide_event refusals: what the caller cannot read is not_found; bad ids are bad_request', async () => {
    const secret = await sa.sendText(pair, 'between alice and bob');
    await assert.rejects(sd.request('hide_event', { event_id: secret.event_id }), code('not_found', 'event_id'));
    await assert.rejects(sb.request('hide_event', { event_id: HEX64 }), code('not_found', 'event_id'));
    await assert.rejects(sb.request('hide_event', { event_id: 'xyz' }), code('bad_request', 'event_id'));
    await assert.rejects(sb.request('hide_event', {} as { event_id: string }), code('bad_request', 'event_id'));
    // A group member cannot hide what was sent before they joined.
    const { group, conversation_id } = await sa.request('create_group', { name: 'Late', member_ids: [bob.userId] });
    const early = await sa.sendText(conversation_id, 'early');
    await sa.request('add_group_members', { group_id: group.group_id, user_ids: [carol.userId] });
    await assert.rejects(sc.request('hide_event', { event_id: early.event_id }), code('not_found', 'event_id'));
    const later = await sa.sendText(conversation_id, 'later');
    assert.deepEqual(await sc.request('hide_event', { event_id: later.event_id }), {});
  });

  test('get_read_receipts splits the members at that seq by their watermark', async () => {
    const { group, conversation_id } = await sa.request('create_group', { name: 'Readers', member_ids: [bob.userId, carol.userId] });
    const first = await sa.sendText(conversation_id, 'read me');
    await sb.sendEvent({ conversation_id, kind: Kind.READ, content: String(first.seq), tags: [] });
    const sorted = (ids: string[]) => [...ids].sort();
    const r1 = await sc.request('get_read_receipts', { conversation_id, seq: first.seq });
    assert.deepEqual(r1.read, [bob.userId]);
    assert.deepEqual(sorted(r1.unread), sorted([alice.userId, carol.userId]));
    // A member who joined after seq 1 is neither a reader nor an unread member of it.
    await sa.request('add_group_members', { group_id: group.group_id, user_ids: [dave.userId] });
    const second = await sa.sendText(conversation_id, 'and me');
    await sc.sendEvent({ conversation_id, kind: Kind.READ, content: String(second.seq), tags: [] });
    const again = await sa.request('get_read_receipts', { conversation_id, seq: first.seq });
    assert.deepEqual([sorted(again.read), sorted(again.unread)], [sorted([bob.userId, carol.userId]), [alice.userId]]);
    const r2 = await sd.request('get_read_receipts', { conversation_id, seq: second.seq });
    assert.deepEqual([r2.read, sorted(r2.unread)], [[carol.userId], sorted([alice.userId, bob.userId, dave.userId])]);
    // Refusals.
    await assert.rejects(sd.request('get_read_receipts', { conversation_id, seq: first.seq }), code('not_found', 'seq'));
    await assert.rejects(sa.request('get_read_receipts', { conversation_id, seq: second.seq + 1 }), code('not_found', 'seq'));
    await assert.rejects(sa.request('get_read_receipts', { conversation_id, seq: 0 }), code('bad_request', 'seq'));
    await assert.rejects(sa.request('get_read_receipts', { conversation_id, seq: 1.5 }), code('bad_request', 'seq'));
    await assert.rejects(sa.request('get_read_receipts', { conversation_id } as { conversation_id: string; seq: number }), code('bad_request', 'seq'));
    const stranger = await newUser(cluster, 'stranger');
    const ss = await stranger.connect();
    try {
      await assert.rejects(ss.request('get_read_receipts', { conversation_id, seq: first.seq }), code('forbidden', 'conversation_id'));
    } finally {
      ss.terminate();
    }
    await assert.rejects(sa.request('get_read_receipts', { conversation_id: 'c-unknown', seq: 1 }), code('not_found', 'conversation_id'));
  });

  test('get_read_receipts in a single conversation', async () => {
    const ack = await sb.sendText(pair, 'did you see this?');
    const unread = await sb.request('get_read_receipts', { conversation_id: pair, seq: ack.seq });
    assert.deepEqual([unread.read, [...unread.unread].sort()], [[], [alice.userId, bob.userId].sort()]);
    await sa.sendEvent({ conversation_id: pair, kind: Kind.READ, content: String(ack.seq), tags: [] });
    assert.deepEqual((await sb.request('get_read_receipts', { conversation_id: pair, seq: ack.seq })).read, [alice.userId]);
  });

  test('set_conversation_prefs pins and mutes for the caller, tells their other devices, and orders pinned first', async () => {
    const { conversation_id: groupConv } = await sb.request('create_group', { name: 'Newer', member_ids: [] });
    await sb.sendText(groupConv, 'newest activity');
    const order = async () => (await sb.request('get_conversations')).conversations.map((c) => [c.conversation_id, c.pinned, c.muted]);
    const initial = await order();
    assert.deepEqual(initial[0], [groupConv, false, false]);
    const notice = sb2.next<Notice>('notice', (n) => n.type === 'conversation_prefs');
    assert.deepEqual(await sb.request('set_conversation_prefs', { conversation_id: pair, pinned: true }), {});
    assert.deepEqual(await notice, { type: 'conversation_prefs', conversation_id: pair, pinned: true, muted: false });
    const pinned = await order();
    assert.deepEqual(pinned[0], [pair, true, false]);
    assert.deepEqual(pinned.slice(1).map((c) => c[0]), initial.filter((c) => c[0] !== pair).map((c) => c[0]));
    // Only the caller's view changes.
    assert.equal((await sa.request('get_conversations')).conversations.find((c) => c.conversation_id === pair)?.pinned, false);
    const muted = sb2.next<Notice>('notice', (n) => n.type === 'conversation_prefs' && n.muted === true);
    await sb.request('set_conversation_prefs', { conversation_id: groupConv, muted: true });
    assert.deepEqual(await muted, { type: 'conversation_prefs', conversation_id: groupConv, pinned: false, muted: true });
    const { conversations } = await sb.request('get_conversations');
    assert.deepEqual(conversations.find((c) => c.conversation_id === groupConv)?.muted, true);
    assert.deepEqual(conversations.find((c) => c.conversation_id === pair)?.pinned, true);
    await sb.request('set_conversation_prefs', { conversation_id: pair, pinned: false });
    assert.deepEqual((await order())[0]?.[0], groupConv);
  });

  test('set_conversation_prefs refusals', async () => {
    await assert.rejects(sd.request('set_conversation_prefs', { conversation_id: pair, pinned: true }), code('forbidden', 'conversation_id'));
    await assert.rejects(sa.request('set_conversation_prefs', { conversation_id: 'c-unknown', pinned: true }), code('not_found', 'conversation_id'));
    await assert.rejects(sa.request('set_conversation_prefs', { conversation_id: pair, pinned: 'yes' as unknown as boolean }), code('bad_request', 'pinned'));
    await assert.rejects(sa.request('set_conversation_prefs', { conversation_id: pair, muted: 1 as unknown as boolean }), code('bad_request', 'muted'));
    await assert.rejects(sa.request('set_conversation_prefs', {} as { conversation_id: string }), code('bad_request', 'conversation_id'));
    // Neither field: the same checks, nothing changes, and no device hears of it.
    await assert.rejects(sd.request('set_conversation_prefs', { conversation_id: pair }), code('forbidden', 'conversation_id'));
    const heard: Notice[] = [];
    const listen = (n: Notice) => heard.push(n);
    sb2.on('notice', listen);
    try {
      assert.deepEqual(await sb.request('set_conversation_prefs', { conversation_id: pair }), {});
      const barrier = sb2.next<Notice>('notice', (n) => n.type === 'conversation_prefs' && n.muted);
      await sb.request('set_conversation_prefs', { conversation_id: pair, muted: true });
      await barrier;
      assert.deepEqual(
        heard.filter((n) => n.type === 'conversation_prefs').map((n) => n.type === 'conversation_prefs' && n.muted),
        [true],
      );
    } finally {
      sb2.off('notice', listen);
    }
  });

  test('create_conversation answers with the caller’s own preferences', async () => {
    await sa.request('set_conversation_prefs', { conversation_id: pair, muted: true });
    const { conversation } = await sa.request('create_conversation', { peer_user_id: bob.userId });
    assert.deepEqual([conversation.conversation_id, conversation.muted, conversation.pinned], [pair, true, false]);
  });
});
