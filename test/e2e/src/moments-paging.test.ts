import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ImSocket } from '@im/client';
import type { Moment, MomentVisibility } from '@im/protocol';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from './cluster.js';
import { code, ids, post, readAll } from './moments-helpers.js';

/** Cursor paging of the timeline and of a user page, while new moments keep arriving. */
describe('moments: paging', () => {
  let cluster: Cluster;
  let alice: TestUser, bob: TestUser, carol: TestUser, erin: TestUser;
  let a: ImSocket, b: ImSocket, c: ImSocket, e: ImSocket;
  const posted: Moment[] = [];

  before(async () => {
    cluster = await startCluster();
    [alice, bob, carol, erin] = await Promise.all([newUser(cluster, 'alice'), newUser(cluster, 'bob'), newUser(cluster, 'carol'), newUser(cluster, 'erin')]);
    [a, b, c, e] = await Promise.all([alice.connect(), bob.connect(), carol.connect(), erin.connect()]);
    await befriend(a, b, bob.userId);
    await befriend(a, c, carol.userId);
    // Four authors posting at once, so many moments share a millisecond.
    const visibilities: MomentVisibility[] = ['public', 'friends', 'private'];
    await Promise.all(
      [a, b, c, e].map(async (s, k) => {
        for (let i = 0; i < 24; i++) {
          const batch = await Promise.all([0, 1, 2].map((j) => post(s, visibilities[(i + j + k) % 3]!, `#${k}.${i}.${j}`)));
          posted.push(...batch);
        }
      }),
    );
  });

  after(async () => {
    for (const s of [a, b, c, e]) s?.terminate();
    await cluster?.stop();
  });

  const visibleOnTimeline = (m: Moment) => m.user_id === alice.userId || ((m.user_id === bob.userId || m.user_id === carol.userId) && m.visibility !== 'private');
  const newestFirst = (list: Moment[]) => [...list].sort((x, y) => y.created_at - x.created_at || (x.moment_id < y.moment_id ? 1 : -1));

  test('paging the whole timeline while new moments arrive: every moment once, no gap, in order', async () => {
    const expected = newestFirst(posted.filter(visibleOnTimeline));
    const later: Moment[] = [];
    const { moments, pages } = await readAll(a, { cmd: 'get_timeline' }, 7, async () => {
      // Between pages, friends and alice post; erin (a stranger) too.
      for (const s of [a, b, c, e]) later.push(await post(s, 'friends', `new ${later.length}`));
    });
    posted.push(...later);
    const seen = ids(moments);
    assert.equal(new Set(seen).size, seen.length, 'no moment twice');
    assert.deepEqual(seen, ids(expected), 'exactly the moments there were, newest first');
    assert.equal(pages, Math.ceil(expected.length / 7));
    // A fresh first page starts with what arrived meanwhile.
    const first = await a.request('get_timeline');
    assert.equal(first.moments.length, 20, 'the default limit');
    assert.ok(first.moments.every((m) => m.content.startsWith('new ') && m.user_id !== erin.userId));
    assert.notEqual(first.next_cursor, null);
  });

  test('a user page pages the same way, with what the viewer may see', async () => {
    const expected = newestFirst(posted.filter((m) => m.user_id === bob.userId && m.visibility !== 'private'));
    const { moments } = await readAll(a, { cmd: 'get_user_moments', user_id: bob.userId }, 5, async () => {
      posted.push(await post(b, 'public'));
    });
    assert.deepEqual(ids(moments), ids(expected));
    const asStranger = (await readAll(e, { cmd: 'get_user_moments', user_id: bob.userId }, 50)).moments;
    assert.ok(asStranger.length > 0 && asStranger.every((m) => m.visibility === 'public'));
  });

  test('the last page is known without an empty page after it', async () => {
    const lone = await newUser(cluster, 'lone');
    const s = await lone.connect();
    for (let i = 0; i < 6; i++) await post(s, 'private');
    const first = await s.request('get_timeline', { limit: 3 });
    assert.equal(first.moments.length, 3);
    const second = await s.request('get_timeline', { limit: 3, before: first.next_cursor! });
    assert.deepEqual([second.moments.length, second.next_cursor], [3, null]);
    assert.deepEqual(await s.request('get_timeline', { limit: 6 }).then((p) => [p.moments.length, p.next_cursor]), [6, null]);
    const empty = await (await newUser(cluster, 'empty')).connect();
    assert.deepEqual(await empty.request('get_timeline'), { moments: [], next_cursor: null });
    s.terminate();
    empty.terminate();
  });

  test('a cursor keeps working after its moment is deleted', async () => {
    const lone = await newUser(cluster, 'lone');
    const s = await lone.connect();
    const mine = [];
    for (let i = 0; i < 4; i++) mine.push(await post(s, 'public'));
    const first = await s.request('get_user_moments', { user_id: lone.userId, limit: 2 });
    assert.deepEqual(ids(first.moments), [mine[3]!.moment_id, mine[2]!.moment_id]);
    await s.request('delete_moment', { moment_id: mine[2]!.moment_id });
    const rest = await s.request('get_user_moments', { user_id: lone.userId, limit: 2, before: first.next_cursor! });
    assert.deepEqual(ids(rest.moments), [mine[1]!.moment_id, mine[0]!.moment_id]);
    s.terminate();
  });

  test("a first page follows each friend's newest shared moment through posts and deletions", async () => {
    const [reader, writer, other] = await Promise.all([newUser(cluster, 'reader'), newUser(cluster, 'writer'), newUser(cluster, 'other')]);
    const [r, w, o] = await Promise.all([reader.connect(), writer.connect(), other.connect()]);
    await befriend(w, r, reader.userId);
    await befriend(o, r, reader.userId);
    const first = async (limit = 5) => ids((await r.request('get_timeline', { limit })).moments);
    // Every page of one: a head left pointing at a deleted moment would end the walk early.
    const walk = async () => ids((await readAll(r, { cmd: 'get_timeline' }, 1)).moments);
    // A private moment is not the writer's to share: nothing shows.
    await post(w, 'private');
    assert.deepEqual(await first(), []);
    const older = await post(w, 'friends');
    const o1 = await post(o, 'public');
    const o2 = await post(o, 'friends');
    const newer = await post(w, 'public');
    const hidden = await post(w, 'private');
    assert.deepEqual(await walk(), ids([newer, o2, o1, older]));
    // Deleting the newest shared one leaves the one before as the newest; a private one changes nothing.
    await w.request('delete_moment', { moment_id: newer.moment_id });
    assert.deepEqual(await walk(), ids([o2, o1, older]));
    await w.request('delete_moment', { moment_id: hidden.moment_id });
    assert.deepEqual(await walk(), ids([o2, o1, older]));
    // Deleting the last shared one takes the writer off the timeline, and a new post puts them back.
    await w.request('delete_moment', { moment_id: older.moment_id });
    assert.deepEqual(await walk(), ids([o2, o1]));
    const again = await post(w, 'friends');
    const own = await post(r, 'private');
    assert.deepEqual(await walk(), ids([own, again, o2, o1]));
    for (const s of [r, w, o]) s.terminate();
  });

  test('posts and deletions racing one another leave the newest shared moment first', async () => {
    const [reader, writer] = await Promise.all([newUser(cluster, 'racer'), newUser(cluster, 'poster')]);
    const [r, w] = await Promise.all([reader.connect(), writer.connect()]);
    await befriend(w, r, reader.userId);
    const kept: Moment[] = [];
    for (let round = 0; round < 5; round++) {
      const doomed = await Promise.all([post(w, 'public'), post(w, 'friends')]);
      // Two deletions and two posts at once: the deletions' recomputations meet the posts' raises.
      const [, , ...fresh] = await Promise.all([
        w.request('delete_moment', { moment_id: doomed[0]!.moment_id }),
        w.request('delete_moment', { moment_id: doomed[1]!.moment_id }),
        post(w, 'public'),
        post(w, 'friends'),
      ]);
      kept.push(...(fresh as Moment[]));
      for (const limit of [1, 3]) {
        const page = await r.request('get_timeline', { limit });
        assert.deepEqual(ids(page.moments), ids(newestFirst(kept).slice(0, limit)), `round ${round}, limit ${limit}`);
      }
    }
    r.terminate();
    w.terminate();
  });

  test('a cursor that is not one is refused, and so is a limit out of range', async () => {
    const { next_cursor } = await a.request('get_timeline', { limit: 1 });
    for (const before of ['nonsense', `${next_cursor}x`, next_cursor!.slice(1), '']) {
      await assert.rejects(a.request('get_timeline', { before }), code('bad_request', 'before'), before);
      await assert.rejects(a.request('get_user_moments', { user_id: bob.userId, before }), code('bad_request', 'before'), before);
    }
    for (const limit of [0, 51, 1.5]) {
      await assert.rejects(a.request('get_timeline', { limit }), code('bad_request', 'limit'));
      await assert.rejects(a.request('get_user_moments', { user_id: bob.userId, limit }), code('bad_request', 'limit'));
    }
    assert.equal((await a.request('get_timeline', { limit: 50 })).moments.length, 50);
  });
});
