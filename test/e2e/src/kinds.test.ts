import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Kind, type ImError, type ImSocket } from '@im/client';
import type { ImEvent } from '@im/protocol';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from './cluster.js';

const code = (expected: string, field?: string) => (e: ImError) => e.code === expected && (field === undefined || e.field === field);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let cids = 0;
const cid = () => `k-${Date.now()}-${++cids}`;

describe('event kinds', () => {
  let cluster: Cluster;
  let alice: TestUser, bob: TestUser, carol: TestUser;
  let a: ImSocket, a2: ImSocket, b: ImSocket, c: ImSocket;
  let conv: string;
  let group: string;

  before(async () => {
    cluster = await startCluster({ relayEnv: { REVOKE_WINDOW: '2', EDIT_WINDOW: '3' } });
    [alice, bob, carol] = (await Promise.all([newUser(cluster, 'alice'), newUser(cluster, 'bob'), newUser(cluster, 'carol')])) as [TestUser, TestUser, TestUser];
    [a, a2, b, c] = (await Promise.all([alice.connect(), alice.connect(), bob.connect(), carol.connect()])) as [ImSocket, ImSocket, ImSocket, ImSocket];
    conv = await befriend(a, b, bob.userId);
    group = (await a.request('create_group', { name: 'kinds', member_ids: [bob.userId, carol.userId] })).conversation_id;
  });

  after(async () => {
    for (const s of [a, a2, b, c]) s?.terminate();
    await cluster?.stop();
  });

  const send = (s: ImSocket, kind: number, content: string, tags: string[][], conversation = conv) =>
    s.sendEvent({ conversation_id: conversation, kind, content, tags, cid: cid() });

  test('file: required tags, stored and pushed like text', async () => {
    const pushed = b.next<ImEvent>('event', (e) => e.kind === Kind.FILE);
    const tags = [['url', 'https://files.example/cat.png'], ['m', 'image/png'], ['size', '5120'], ['dim', '640x480'], ['name', 'cat.png']];
    const ack = await send(a, Kind.FILE, 'a cat', tags);
    assert.deepEqual((await pushed).tags, tags);
    assert.ok(ack.seq > 0);
    await assert.rejects(send(a, Kind.FILE, '', [['url', 'u'], ['m', 'image/png']]), code('bad_request', 'tags'));
  });

  test('revoke: own message within the window; blanked in queries; the revoke stays in the stream', async () => {
    const msg = await a.sendText(conv, 'oops, wrong chat');
    const other = await b.sendText(conv, 'not yours');
    await assert.rejects(send(b, Kind.REVOKE, '', [['e', msg.event_id]]), code('forbidden'));
    await assert.rejects(send(a, Kind.REVOKE, '', [['e', other.event_id]]), code('forbidden'));
    await assert.rejects(send(a, Kind.REVOKE, '', [['e', 'f'.repeat(64)]]), code('not_found'));
    const inGroup = await a.sendText(group, 'group message');
    await assert.rejects(send(a, Kind.REVOKE, '', [['e', inGroup.event_id]]), code('bad_request'));
    const pushed = b.next<ImEvent>('event', (e) => e.kind === Kind.REVOKE);
    const revoke = await send(a, Kind.REVOKE, 'wrong chat', [['e', msg.event_id]]);
    assert.equal(revoke.seq, msg.seq + 2);
    assert.deepEqual((await pushed).tags, [['e', msg.event_id]]);
    await assert.rejects(send(a, Kind.REVOKE, '', [['e', msg.event_id]]), code('conflict'));
    await assert.rejects(send(a, Kind.REVOKE, '', [['e', revoke.event_id]]), code('bad_request'));
    const { events } = await b.request('sync', { conversation_id: conv, after_seq: msg.seq - 1 });
    const target = events.find((e) => e.id === msg.event_id)!;
    assert.deepEqual([target.content, target.tags, typeof target.revoked_at], ['', [], 'number']);
    assert.ok(events.some((e) => e.id === revoke.event_id && e.kind === Kind.REVOKE));
  });

  test('revoke after the window is window_expired', async () => {
    const msg = await a.sendText(conv, 'too late to take back');
    await sleep(2300);
    await assert.rejects(send(a, Kind.REVOKE, '', [['e', msg.event_id]]), code('window_expired'));
  });

  test('edit: own text within the window; queries show the newest text; revoked ones cannot be edited', async () => {
    const msg = await a.sendText(conv, 'helo');
    await assert.rejects(send(b, Kind.EDIT, 'hijack', [['e', msg.event_id]]), code('forbidden'));
    const file = await send(a, Kind.FILE, '', [['url', 'u'], ['m', 'text/plain'], ['size', '1']]);
    await assert.rejects(send(a, Kind.EDIT, 'x', [['e', file.event_id]]), code('bad_request'));
    await send(a, Kind.EDIT, 'hello', [['e', msg.event_id]]);
    await send(a, Kind.EDIT, 'hello!', [['e', msg.event_id]]);
    const { events } = await b.request('sync', { conversation_id: conv, after_seq: msg.seq - 1 });
    const edited = events.find((e) => e.id === msg.event_id)!;
    assert.equal(edited.content, 'hello!');
    assert.ok(edited.edited_at! >= edited.created_at);
    assert.equal(events.filter((e) => e.kind === Kind.EDIT).length, 2);
    await send(a, Kind.REVOKE, '', [['e', msg.event_id]]);
    await assert.rejects(send(a, Kind.EDIT, 'again', [['e', msg.event_id]]), code('conflict'));
    const late = await a.sendText(conv, 'old');
    await sleep(3200);
    await assert.rejects(send(a, Kind.EDIT, 'new', [['e', late.event_id]]), code('window_expired'));
  });

  test('reactions: added, aggregated, withdrawn; only on messages of the same conversation', async () => {
    const msg = await a.sendText(group, 'react to me');
    await send(b, Kind.REACTION, '👍', [['e', msg.event_id]], group);
    await send(c, Kind.REACTION, '👍', [['e', msg.event_id]], group);
    await send(c, Kind.REACTION, '🎉', [['e', msg.event_id]], group);
    let seen = (await a.request('sync', { conversation_id: group, after_seq: msg.seq - 1, limit: 1 })).events[0]!;
    assert.deepEqual(seen.reactions, { '👍': [bob.userId, carol.userId], '🎉': [carol.userId] });
    await send(c, Kind.REACTION, '🎉', [['e', msg.event_id], ['remove']], group);
    seen = (await a.request('sync', { conversation_id: group, after_seq: msg.seq - 1, limit: 1 })).events[0]!;
    assert.deepEqual(seen.reactions, { '👍': [bob.userId, carol.userId] });
    await assert.rejects(send(b, Kind.REACTION, '👍', [['e', msg.event_id]], conv), code('bad_request'));
    await assert.rejects(send(b, Kind.REACTION, 'x'.repeat(65), [['e', msg.event_id]], group), code('too_large'));
  });

  test('read receipts: forward only, capped at max_seq; single: both sides hear; unread follows', async () => {
    const first = await a.sendText(conv, 'read me 1');
    await a.sendText(conv, 'read me 2');
    const before = (await b.request('get_conversations')).conversations.find((x) => x.conversation_id === conv)!;
    assert.ok(before.unread >= 2);
    const toAlice = a.next<{ kind: number; content: string; sender_id: string; seq?: number }>('event', (e) => e.kind === Kind.READ);
    const ack = (await b.request('event', { conversation_id: conv, kind: Kind.READ, content: String(first.seq) })) as { conversation_id: string; read_seq: number };
    assert.deepEqual(ack, { conversation_id: conv, read_seq: first.seq });
    const pushed = await toAlice;
    assert.deepEqual([pushed.content, pushed.sender_id, 'seq' in pushed, 'id' in pushed], [String(first.seq), bob.userId, false, false]);
    const back = (await b.request('event', { conversation_id: conv, kind: Kind.READ, content: '1' })) as { read_seq: number };
    assert.equal(back.read_seq, first.seq);
    const capped = (await b.request('event', { conversation_id: conv, kind: Kind.READ, content: '999999' })) as { read_seq: number };
    const after = (await b.request('get_conversations')).conversations.find((x) => x.conversation_id === conv)!;
    assert.equal(capped.read_seq, after.max_seq);
    assert.deepEqual([after.read_seq, after.unread], [after.max_seq, 0]);
    await assert.rejects(c.request('event', { conversation_id: conv, kind: Kind.READ, content: '1' }), code('forbidden'));
  });

  test('read receipts in a group reach only the reader\'s other sockets', async () => {
    const heardByBob = b.next('event', (e: ImEvent) => e.kind === Kind.READ && e.conversation_id === group, 400).then(() => true, () => false);
    const heardByA2 = a2.next('event', (e: ImEvent) => e.kind === Kind.READ && e.conversation_id === group);
    await a.request('event', { conversation_id: group, kind: Kind.READ, content: '1' });
    await heardByA2;
    assert.equal(await heardByBob, false);
  });

  test('typing reaches only subscribed sockets of other members, at most once a second, and is never stored', async () => {
    assert.deepEqual(await b.request('subscribe', { conversation_id: group }), {});
    const typed: ImEvent[] = [];
    b.on('event', (e: ImEvent) => e.kind === Kind.TYPING && typed.push(e));
    const carolHears = c.next('event', (e: ImEvent) => e.kind === Kind.TYPING, 400).then(() => true, () => false);
    const maxBefore = (await a.request('sync', { conversation_id: group, limit: 1 })).max_seq;
    assert.deepEqual(await a.request('event', { conversation_id: group, kind: Kind.TYPING, content: '' }), {});
    assert.deepEqual(await a.request('event', { conversation_id: group, kind: Kind.TYPING, content: '' }), {});
    await sleep(300);
    assert.equal(typed.length, 1);
    assert.deepEqual([typed[0]!.sender_id, typed[0]!.content, typed[0]!.tags], [alice.userId, '', []]);
    assert.equal(await carolHears, false);
    assert.equal((await a.request('sync', { conversation_id: group, limit: 1 })).max_seq, maxBefore);
    await b.request('unsubscribe', { conversation_id: group });
    await sleep(1000);
    await a.request('event', { conversation_id: group, kind: Kind.TYPING, content: '' });
    await sleep(200);
    assert.equal(typed.length, 1);
    await assert.rejects(a.request('event', { conversation_id: group, kind: Kind.TYPING, content: 'x' }), code('bad_request'));
  });

  test('forward: copies of the sources travel along; only readable sources may be forwarded', async () => {
    const source = await b.sendText(group, 'worth sharing');
    const pushed = b.next<ImEvent>('event', (e) => e.kind === Kind.FORWARD);
    const ack = await send(a, Kind.FORWARD, 'look', [['e', source.event_id]], conv);
    const fwd = await pushed;
    assert.equal(fwd.id, ack.event_id);
    const src = fwd.tags.find((t) => t[0] === 'src')!;
    assert.deepEqual(src.slice(0, 6), ['src', source.event_id, '1', bob.userId, String(source.created_at), 'worth sharing']);
    assert.deepEqual(JSON.parse(src[6]!), []);
    // Carol is not in the single conversation of alice and bob: she cannot forward from it.
    const privateMsg = await a.sendText(conv, 'between us');
    await assert.rejects(send(c, Kind.FORWARD, '', [['e', privateMsg.event_id]], group), code('forbidden'));
    await assert.rejects(send(a, Kind.FORWARD, '', [['e', 'a'.repeat(64)]], conv), code('not_found'));
    await assert.rejects(send(a, Kind.FORWARD, '', [['src', 'x']], conv), code('bad_request'));
  });

  test('unread excludes revoked messages', async () => {
    const fresh = await newUser(cluster, 'dave');
    const d = await fresh.connect();
    const g = (await a.request('create_group', { name: 'unread', member_ids: [fresh.userId] })).conversation_id;
    const m1 = await a.sendText(g, 'one');
    await a.sendText(g, 'two');
    assert.equal((await d.request('get_conversations')).conversations[0]!.unread, 2);
    await send(a, Kind.REVOKE, '', [['e', m1.event_id]], g);
    const after = (await d.request('get_conversations')).conversations[0]!;
    assert.deepEqual([after.unread, after.last_event?.content], [1, 'two']);
    d.terminate();
  });
});
