import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { ImError, ImSocket } from '@im/client';
import type { Conversation } from '@im/protocol';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from './cluster.js';

const SEEDED = 10_050;

/**
 * get_conversations pages (limit, before, next_cursor) for a user in any number of
 * conversations: more than the 10,000 that one internal call carries.
 */
describe('get_conversations pages through any number of conversations', () => {
  let cluster: Cluster;
  let alice: TestUser, bob: TestUser;
  let a: ImSocket;
  let single: string;

  before(async () => {
    cluster = await startCluster();
    [alice, bob] = (await Promise.all([newUser(cluster, 'alice'), newUser(cluster, 'bob')])) as [TestUser, TestUser];
    a = await alice.connect();
    const b = await bob.connect();
    single = await befriend(a, b, bob.userId);
    b.terminate();
    // Seeded the way seaking writes groups: a conversation, a group, a membership each,
    // created at distinct times so the order is known.
    const seaking = new pg.Client({ connectionString: cluster.databases.seaking });
    await seaking.connect();
    await seaking.query(
      `WITH n AS (SELECT g FROM generate_series(1, $2::int) g),
            c AS (INSERT INTO conversations (conversation_id, type, group_id, created_at)
                  SELECT 'cseed' || lpad(g::text, 6, '0'), 'group', 'gseed' || g, 1000 + g FROM n RETURNING conversation_id),
            gr AS (INSERT INTO groups (group_id, name, owner_id, conversation_id, created_at)
                   SELECT 'gseed' || g, 'seeded ' || g, $1, 'cseed' || lpad(g::text, 6, '0'), 1000 + g FROM n RETURNING group_id)
       INSERT INTO conversation_members (conversation_id, user_id, role, joined_at)
       SELECT 'cseed' || lpad(g::text, 6, '0'), $1, 'owner', 1000 + g FROM n`,
      [alice.userId, SEEDED],
    );
    await seaking.end();
  });

  after(async () => {
    a?.terminate();
    await cluster?.stop();
  });

  test('every conversation exactly once, newest activity first, across pages', async () => {
    // Activity in two seeded groups lifts them to the top, after the single conversation.
    await a.sendText('cseed000007', 'old group, new message');
    await a.sendText(single, 'newest');
    const seen: Conversation[] = [];
    let before: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await a.request('get_conversations', before === undefined ? { limit: 500 } : { limit: 500, before });
      pages++;
      assert.ok(page.conversations.length <= 500);
      seen.push(...page.conversations);
      if (page.next_cursor === null) break;
      before = page.next_cursor;
    }
    assert.equal(seen.length, SEEDED + 1);
    assert.equal(new Set(seen.map((c) => c.conversation_id)).size, SEEDED + 1);
    assert.equal(pages, Math.ceil((SEEDED + 1) / 500));
    assert.deepEqual(seen.slice(0, 3).map((c) => c.conversation_id), [single, 'cseed000007', `cseed${String(SEEDED).padStart(6, '0')}`]);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1]!.updated_at >= seen[i]!.updated_at, `order broken at ${i}`);
    assert.deepEqual([seen[0]!.pinned, seen[0]!.muted], [false, false]);
    assert.equal(seen[0]!.last_event?.content, 'newest');
  });

  test('the default page is 100; limits and cursors are checked', async () => {
    const first = await a.request('get_conversations');
    assert.equal(first.conversations.length, 100);
    assert.equal(typeof first.next_cursor, 'string');
    await assert.rejects(a.request('get_conversations', { limit: 501 }), (e: ImError) => e.code === 'bad_request' && e.field === 'limit');
    await assert.rejects(a.request('get_conversations', { before: 'not-a-cursor' }), (e: ImError) => e.code === 'bad_request' && e.field === 'before');
    const b = await bob.connect();
    const { conversations, next_cursor } = await b.request('get_conversations');
    assert.deepEqual([conversations.map((c) => c.conversation_id), next_cursor], [[single], null]);
    b.terminate();
  });
});
