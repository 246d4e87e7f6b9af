import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newCid, type ImError, type ImSocket } from '@im/client';
import { Kind, type ImEvent } from '@im/protocol';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from './cluster.js';

const code = (expected: string, field?: string) => (e: ImError) => e.code === expected && (field === undefined || e.field === field);
const contents = (events: ImEvent[]) => events.map((e) => e.content);

describe('search_messages', () => {
  let cluster: Cluster;
  let alice: TestUser, bob: TestUser, carol: TestUser, dave: TestUser;
  let sa: ImSocket, sb: ImSocket, sc: ImSocket, sd: ImSocket;
  let pair: string;
  let group: { group_id: string; conversation_id: string };

  before(async () => {
    cluster = await startCluster();
    [alice, bob, carol, dave] = (await Promise.all(['alice', 'bob', 'carol', 'dave'].map((n) => newUser(cluster, n)))) as [TestUser, TestUser, TestUser, TestUser];
    [sa, sb, sc, sd] = (await Promise.all([alice, bob, carol, dave].map((u) => u.connect()))) as [ImSocket, ImSocket, ImSocket, ImSocket];
    pair = await befriend(sa, sb, bob.userId);
    const g = await sa.request('create_group', { name: 'Planning', member_ids: [bob.userId] });
    group = { group_id: g.group.group_id, conversation_id: g.conversation_id };
  });

  after(async () => {
    for (const s of [sa, sb, sc, sd]) s?.terminate();
    await cluster?.stop();
  });

  const search = (s: ImSocket, data: Parameters<ImSocket['request']>[1] & object) => s.request('search_messages', data as { query: string });

  test('finds text by substring, ignoring case, in Latin and CJK scripts, newest first', async () => {
    await sa.sendText(pair, 'Hello World from Alice');
    await sa.sendText(pair, '明天下午三点开会议，别迟到');
    await sa.sendText(pair, '会議は明日です');
    await sa.sendText(pair, '내일 회의가 있어요');
    await sb.sendText(pair, 'ＦＵＬＬＷＩＤＴＨ letters and Ünïcödé');
    await sb.sendText(pair, 'hello again, said Bob');

    assert.deepEqual(contents((await search(sb, { query: 'HELLO' })).events), ['hello again, said Bob', 'Hello World from Alice']);
    assert.deepEqual(contents((await search(sb, { query: 'lo wor' })).events), ['Hello World from Alice']);
    assert.deepEqual(contents((await search(sb, { query: '会议' })).events), ['明天下午三点开会议，别迟到']);
    assert.deepEqual(contents((await search(sb, { query: '会' })).events), ['会議は明日です', '明天下午三点开会议，别迟到']);
    assert.deepEqual(contents((await search(sb, { query: '会議' })).events), ['会議は明日です']);
    assert.deepEqual(contents((await search(sb, { query: '회의' })).events), ['내일 회의가 있어요']);
    // Full-width letters match their usual form; case folds beyond ASCII.
    assert.deepEqual(contents((await search(sa, { query: 'fullwidth' })).events), ['ＦＵＬＬＷＩＤＴＨ letters and Ünïcödé']);
    assert.deepEqual(contents((await search(sa, { query: 'ÜNÏ' })).events), ['ＦＵＬＬＷＩＤＴＨ letters and Ünïcödé']);
    const { events, next_cursor } = await search(sa, { query: 'nothing like this' });
    assert.deepEqual(events, []);
    assert.equal(next_cursor, null);
  });

  test('queries of one or two ASCII letters look through the recent messages', async () => {
    const found = await search(sb, { query: 'Wo', conversation_id: pair });
    assert.deepEqual(contents(found.events), ['Hello World from Alice']);
    assert.ok((await search(sb, { query: 'e' })).events.length >= 3);
  });

  test('file captions and names are searched; kinds, sender and time narrow the search', async () => {
    const file = await sa.sendEvent({
      conversation_id: pair,
      kind: Kind.FILE,
      content: 'quarterly figures',
      tags: [['url', 'https://cdn.example.com/x.pdf'], ['m', 'application/pdf'], ['size', '1200'], ['name', 'Budget-Report.PDF']],
      cid: newCid(),
    });
    assert.deepEqual((await search(sb, { query: 'budget-report' })).events.map((e) => e.id), [file.event_id]);
    assert.deepEqual((await search(sb, { query: 'quarterly' })).events.map((e) => e.id), [file.event_id]);
    assert.deepEqual((await search(sb, { query: 'budget', kinds: [1] })).events, []);
    assert.equal((await search(sb, { query: 'budget', kinds: [3] })).events.length, 1);
    assert.deepEqual(contents((await search(sa, { query: 'hello', sender_id: bob.userId })).events), ['hello again, said Bob']);
    const all = (await search(sa, { query: 'hello' })).events;
    const older = all[1]!;
    assert.deepEqual(contents((await search(sa, { query: 'hello', before: all[0]!.created_at })).events), [older.content]);
    assert.deepEqual(contents((await search(sa, { query: 'hello', after: older.created_at })).events), [all[0]!.content]);
    assert.deepEqual((await search(sa, { query: 'hello', conversation_id: group.conversation_id })).events, []);
  });

  test('pages newest first with a cursor until next_cursor is null', async () => {
    for (let i = 1; i <= 5; i++) await sa.sendText(group.conversation_id, `standup note ${i}`);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const r = await search(sb, { query: 'standup note', limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...contents(r.events));
      if (r.next_cursor === null) break;
      cursor = r.next_cursor;
    }
    assert.deepEqual(seen, [5, 4, 3, 2, 1].map((i) => `standup note ${i}`));
  });

  test('an edit is found by its new text only; a revoked message is not found', async () => {
    const ack = await sa.sendText(pair, 'the launch is on tuesday');
    await sa.sendEvent({ conversation_id: pair, kind: Kind.EDIT, content: 'the launch moved to friday', tags: [['e', ack.event_id]], cid: newCid() });
    assert.deepEqual((await search(sb, { query: 'tuesday' })).events, []);
    const edited = (await search(sb, { query: 'friday' })).events;
    assert.deepEqual(edited.map((e) => [e.id, e.content, typeof e.edited_at]), [[ack.event_id, 'the launch moved to friday', 'number']]);
    const gone = await sa.sendText(pair, 'a secret to take back');
    assert.equal((await search(sb, { query: 'secret to take' })).events.length, 1);
    await sa.sendEvent({ conversation_id: pair, kind: Kind.REVOKE, content: '', tags: [['e', gone.event_id]], cid: newCid() });
    assert.deepEqual((await search(sb, { query: 'secret to take' })).events, []);
    assert.deepEqual((await search(sb, { query: 'ta', conversation_id: pair })).events.filter((e) => e.id === gone.event_id), []);
  });

  test('a member sees nothing before their join point, and nothing once removed or gone', async () => {
    await sa.sendText(group.conversation_id, 'before carol arrived: pineapple');
    await sa.request('add_group_members', { group_id: group.group_id, user_ids: [carol.userId] });
    await sa.sendText(group.conversation_id, 'after carol arrived: pineapple');
    assert.deepEqual(contents((await search(sc, { query: 'pineapple' })).events), ['after carol arrived: pineapple']);
    assert.deepEqual(contents((await search(sc, { query: 'ap', conversation_id: group.conversation_id })).events), ['after carol arrived: pineapple']);
    // Outsiders find nothing, even of a text they know is there.
    assert.deepEqual((await search(sd, { query: 'pineapple' })).events, []);
    await sa.request('remove_group_member', { group_id: group.group_id, user_id: carol.userId });
    assert.deepEqual((await search(sc, { query: 'pineapple' })).events, []);
    await assert.rejects(search(sc, { query: 'pineapple', conversation_id: group.conversation_id }), code('forbidden', 'conversation_id'));
  });

  test('an event hidden with hide_event is left out of the hider’s search only', async () => {
    const ack = await sa.sendText(pair, 'embarrassing typo mesage');
    assert.deepEqual(await sb.request('hide_event', { event_id: ack.event_id }), {});
    assert.deepEqual((await search(sb, { query: 'typo mes' })).events, []);
    assert.equal((await search(sa, { query: 'typo mes' })).events.length, 1);
  });

  test('bad input is answered with its code and field', async () => {
    await assert.rejects(search(sa, { query: '' }), code('bad_request', 'query'));
    await assert.rejects(search(sa, { query: 'x'.repeat(129) }), code('bad_request', 'query'));
    await assert.rejects(search(sa, { query: 'a\u0000b' }), code('bad_request', 'query'));
    await assert.rejects(search(sa, { query: '\ud800' }), code('bad_request', 'query'));
    await assert.rejects(sa.request('search_messages', {} as { query: string }), code('bad_request', 'query'));
    await assert.rejects(search(sa, { query: 'hi', kinds: [2] }), code('bad_request', 'kinds.0'));
    await assert.rejects(search(sa, { query: 'hi', kinds: [] }), code('bad_request', 'kinds'));
    await assert.rejects(search(sa, { query: 'hi', limit: 0 }), code('bad_request', 'limit'));
    await assert.rejects(search(sa, { query: 'hi', limit: 51 }), code('bad_request', 'limit'));
    await assert.rejects(search(sa, { query: 'hi', before: -1 }), code('bad_request', 'before'));
    await assert.rejects(search(sa, { query: 'hi', after: 1.5 }), code('bad_request', 'after'));
    await assert.rejects(search(sa, { query: 'hi', cursor: 'not a cursor!' }), code('bad_request', 'cursor'));
    await assert.rejects(search(sa, { query: 'hi', cursor: 'bm9wZQ' }), code('bad_request', 'cursor'));
    await assert.rejects(search(sa, { query: 'hi', sender_id: '' }), code('bad_request', 'sender_id'));
    await assert.rejects(search(sd, { query: 'hi', conversation_id: pair }), code('forbidden', 'conversation_id'));
    await assert.rejects(search(sa, { query: 'hi', conversation_id: 'c-unknown' }), code('not_found', 'conversation_id'));
  });
});
