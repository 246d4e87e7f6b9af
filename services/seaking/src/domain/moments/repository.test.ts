import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { Db, migrate } from '@im/db';
import { createDatabase, testPostgres, type PostgresServer, type TestDatabase } from '@im/devkit';
import { createLogger } from '@im/kit';
import type { MomentPosition, MomentVisibility } from '@im/protocol';
import { MomentsRepository, type MomentRow } from './repository.js';

const MIGRATIONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../migrations');

/** A fixed sequence of pseudo-random numbers, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const newestFirst = (a: MomentRow, b: MomentRow) => b.created_at - a.created_at || (a.moment_id < b.moment_id ? 1 : a.moment_id > b.moment_id ? -1 : 0);
const below = (m: MomentRow, p: MomentPosition | undefined) => !p || m.created_at < p.created_at || (m.created_at === p.created_at && m.moment_id < p.moment_id);

/**
 * The repository's visibility queries against the rule written out in plain code, over
 * data with many moments in the same millisecond, a prolific author, and every relation.
 */
describe('moments repository', () => {
  let pg: PostgresServer;
  let database: TestDatabase;
  let db: Db;
  let repo: MomentsRepository;

  const VIEWER = 'u-viewer';
  const friends = Array.from({ length: 40 }, (_, i) => `u-friend-${String(i).padStart(2, '0')}`);
  const strangers = ['u-stranger-1', 'u-stranger-2'];
  const BLOCKED = 'u-blocked'; // the viewer blocked them
  const BLOCKER = 'u-blocker'; // they blocked the viewer
  // Friends and blocks exclude each other; this pair is written inconsistently on purpose to
  // show the block still wins.
  const FRIEND_AND_BLOCKED = 'u-friend-blocked';
  const everyone = [VIEWER, ...friends, ...strangers, BLOCKED, BLOCKER, FRIEND_AND_BLOCKED];
  const friendSet = new Set([...friends, FRIEND_AND_BLOCKED]);
  const blockedSet = new Set([BLOCKED, BLOCKER, FRIEND_AND_BLOCKED]);
  let moments: MomentRow[] = [];

  const mayView = (m: MomentRow, viewer = VIEWER) => {
    if (m.user_id === viewer) return true;
    if (viewer !== VIEWER) throw new Error('the reference knows the relations of the viewer only');
    if (blockedSet.has(m.user_id) || m.visibility === 'private') return false;
    return m.visibility === 'public' || friendSet.has(m.user_id);
  };
  const onTimeline = (m: MomentRow) => m.user_id === VIEWER || (friendSet.has(m.user_id) && !blockedSet.has(m.user_id) && m.visibility !== 'private');

  before(async () => {
    pg = await testPostgres();
    database = await createDatabase(pg, 'seaking_moments');
    const logger = createLogger({ service: 'test', level: 'warn' });
    await migrate(database.url, MIGRATIONS, logger);
    db = new Db({ url: database.url, logger, max: 4 });
    repo = new MomentsRepository(db);

    await db.query(`INSERT INTO users (user_id, username, nickname, created_at) SELECT id, id, id, 0 FROM unnest($1::text[]) id`, [everyone]);
    const pairs = [...friendSet].flatMap((f) => [[VIEWER, f], [f, VIEWER]]);
    await db.query(`INSERT INTO friendships (user_id, friend_id, since) SELECT a, b, 0 FROM unnest($1::text[], $2::text[]) AS t(a, b)`, [pairs.map((p) => p[0]), pairs.map((p) => p[1])]);
    await db.query(`INSERT INTO blocks (user_id, blocked_id, created_at) VALUES ($1, $2, 0), ($3, $1, 0), ($1, $4, 0)`, [VIEWER, BLOCKED, BLOCKER, FRIEND_AND_BLOCKED]);

    const rnd = random(20241121);
    const visibilities: MomentVisibility[] = ['public', 'friends', 'private'];
    let n = 0;
    const add = (user_id: string, from: number) => {
      moments.push({
        moment_id: `m${String(Math.floor(rnd() * 1e6)).padStart(6, '0')}${String(n++).padStart(5, '0')}`,
        user_id,
        content: `moment ${n}`,
        images: [],
        location_name: null,
        location_lat: null,
        location_lng: null,
        visibility: visibilities[Math.floor(rnd() * 3)]!,
        // Only 60 distinct milliseconds: most moments share theirs with others.
        created_at: 1_700_000_000_000 + from + Math.floor(rnd() * (60 - from)),
      });
    };
    for (let i = 0; i < 600; i++) add(everyone[Math.floor(rnd() * everyone.length)]!, 0);
    // One friend posts far more than everyone else, and all of it recently.
    for (let i = 0; i < 150; i++) add(friends[0]!, 45);
    for (const m of moments) await repo.insert(m);
    moments = moments.sort(newestFirst);
  });

  after(async () => {
    await db?.close();
    await database?.drop();
    if (pg?.embedded) await pg.stop();
  });

  async function pageAll(read: (before: MomentPosition | undefined, fetch: number) => Promise<MomentRow[]>, limit: number): Promise<MomentRow[]> {
    const seen: MomentRow[] = [];
    let cursor: MomentPosition | undefined;
    for (;;) {
      const rows = await read(cursor, limit + 1);
      const page = rows.slice(0, limit);
      seen.push(...page);
      if (rows.length <= limit) return seen;
      assert.equal(page.length, limit, 'a page that is not the last is full');
      cursor = page[page.length - 1]!;
    }
  }

  const ids = (rows: MomentRow[]) => rows.map((r) => r.moment_id);

  test('the timeline, paged at any size, is exactly the visible moments in order, ties included', async () => {
    const expected = moments.filter(onTimeline);
    assert.ok(expected.length > 200);
    for (const limit of [1, 3, 7, 20, 50]) {
      assert.deepEqual(ids(await pageAll((b, f) => repo.timeline(VIEWER, b, f), limit)), ids(expected), `limit ${limit}`);
    }
  });

  test('the timeline from any position, existing or not, is what sorts after it', async () => {
    const rnd = random(7);
    for (let i = 0; i < 60; i++) {
      const pivot = moments[Math.floor(rnd() * moments.length)]!;
      const position = rnd() < 0.5 ? { created_at: pivot.created_at, moment_id: pivot.moment_id } : { created_at: pivot.created_at, moment_id: `m${Math.floor(rnd() * 1e6)}` };
      const fetch = 1 + Math.floor(rnd() * 51);
      const expected = moments.filter((m) => onTimeline(m) && below(m, position)).slice(0, fetch);
      assert.deepEqual(ids(await repo.timeline(VIEWER, position, fetch)), ids(expected), JSON.stringify({ position, fetch }));
    }
  });

  test('a user page shows what the viewer may see of that user, and nothing of anyone behind a block', async () => {
    for (const author of [VIEWER, friends[0]!, friends[1]!, strangers[0]!, BLOCKED, BLOCKER, FRIEND_AND_BLOCKED]) {
      const expected = moments.filter((m) => m.user_id === author && mayView(m));
      assert.deepEqual(ids(await pageAll((b, f) => repo.ofUser(VIEWER, author, b, f), 4)), ids(expected), author);
    }
    // Seen from the other side: the blocker and the blocked see nothing of the viewer either.
    for (const other of [BLOCKED, BLOCKER]) assert.deepEqual(await repo.ofUser(other, VIEWER, undefined, 100), []);
    const ownPrivate = moments.filter((m) => m.user_id === VIEWER && m.visibility === 'private');
    assert.ok(ownPrivate.length > 0);
    assert.deepEqual(ids(await repo.ofUser(strangers[0]!, VIEWER, undefined, 1000)), ids(moments.filter((m) => m.user_id === VIEWER && m.visibility === 'public')));
  });

  test('one moment: the same rule as the pages', async () => {
    for (const m of moments) {
      assert.equal((await repo.findVisible(m.moment_id, VIEWER)) !== undefined, mayView(m), `${m.moment_id} by ${m.user_id}, ${m.visibility}`);
    }
    assert.equal(await repo.findVisible('m-none', VIEWER), undefined);
  });

  test('likes and comments come in the order made, without those of users behind a block', async () => {
    const target = moments.find((m) => m.user_id === friends[2] && m.visibility === 'public')!;
    const likers = [friends[5]!, BLOCKER, VIEWER, strangers[1]!, BLOCKED, friends[3]!];
    // The same millisecond for all: the order made still shows.
    for (const u of likers) assert.deepEqual(await repo.like(target.moment_id, u, 42), { author_id: friends[2], inserted: true });
    assert.deepEqual(await repo.like(target.moment_id, friends[5]!, 43), { author_id: friends[2], inserted: false });
    const likes = await repo.likesOf([target.moment_id], VIEWER);
    assert.deepEqual(
      likes.map((l) => l.user_id),
      [friends[5], VIEWER, strangers[1], friends[3]],
    );
    assert.equal((await repo.likesOf([target.moment_id], friends[9]!)).length, likers.length, 'others see them all');
    assert.equal(await repo.like(moments.find((m) => m.user_id === BLOCKER)!.moment_id, VIEWER, 1), undefined);
  });

  const count = async (table: string, where: string, params: unknown[]) =>
    Number((await db.one<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params))!.n);

  const comment = (moment_id: string, user_id: string, i: number) => ({
    comment_id: `k-${moment_id}-${user_id}-${i}`,
    moment_id,
    user_id,
    content: 'hi',
    reply_to_comment_id: null,
    reply_to_user_id: null,
    created_at: i,
  });

  test('deleting a moment removes its likes and comments, and only its own', async () => {
    const [gone, kept] = moments.filter((m) => m.user_id === friends[4] && m.visibility === 'public');
    for (const m of [gone!, kept!]) {
      await repo.like(m.moment_id, VIEWER, 1);
      await repo.insertComment(comment(m.moment_id, VIEWER, 1), db.pool);
    }
    assert.equal(await repo.deleteOwn(gone!.moment_id, VIEWER), false, 'not the author');
    assert.equal(await repo.deleteOwn(gone!.moment_id, friends[4]!), true);
    assert.equal(await count('moment_likes', 'moment_id = $1', [gone!.moment_id]), 0);
    assert.equal(await count('moment_comments', 'moment_id = $1', [gone!.moment_id]), 0);
    assert.equal(await count('moment_likes', 'moment_id = $1', [kept!.moment_id]), 1);
    assert.equal(await count('moment_comments', 'moment_id = $1', [kept!.moment_id]), 1);
    moments = moments.filter((m) => m !== gone);
  });

  test("a block removes each one's likes and comments on the other's moments, nothing else", async () => {
    const [x, y, z] = friends.slice(5, 8) as [string, string, string];
    const of = (user: string) => moments.find((m) => m.user_id === user && m.visibility === 'public')!.moment_id;
    for (const [actor, author] of [[x, y], [y, x], [z, x], [x, z]] as const) {
      await repo.like(of(author), actor, 1);
      await repo.insertComment(comment(of(author), actor, 2), db.pool);
    }
    await repo.removeInteractionsBetween(x, y, db.pool);
    for (const [actor, author, left] of [[x, y, 0], [y, x, 0], [z, x, 1], [x, z, 1]] as const) {
      assert.equal(await count('moment_likes', 'moment_id = $1 AND user_id = $2', [of(author), actor]), left, `${actor} on ${author}`);
      assert.equal(await count('moment_comments', 'moment_id = $1 AND user_id = $2', [of(author), actor]), left, `${actor} on ${author}`);
    }
  });
});
