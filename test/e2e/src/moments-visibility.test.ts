import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ImSocket } from '@im/client';
import type { Moment, MomentVisibility } from '@im/protocol';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from './cluster.js';
import { code, ids, post } from './moments-helpers.js';

const ALL: MomentVisibility[] = ['public', 'friends', 'private'];

/**
 * Each visibility against each relation of the viewer to the author, through the gateway:
 * the timeline, the user page, and every command on a moment.
 */
describe('moments: who sees what', () => {
  let cluster: Cluster;
  const u: Record<string, TestUser> = {};
  const s: Record<string, ImSocket> = {};
  const authored: Partial<Record<MomentVisibility, Moment>> = {};
  let daveFriendsOnly: Moment, erinPublic: Moment, frankPublic: Moment;

  /** The viewers of alice's moments: what each may see of them, and what reaches their timeline. */
  const viewers: Array<{ name: string; relation: string; sees: MomentVisibility[]; timeline: MomentVisibility[] }> = [
    { name: 'alice', relation: 'the author', sees: ['public', 'friends', 'private'], timeline: ['public', 'friends', 'private'] },
    { name: 'bob', relation: 'a friend', sees: ['public', 'friends'], timeline: ['public', 'friends'] },
    { name: 'carol', relation: 'a stranger', sees: ['public'], timeline: [] },
    { name: 'dave', relation: 'a former friend', sees: ['public'], timeline: [] },
    { name: 'erin', relation: 'blocked by the author', sees: [], timeline: [] },
    { name: 'frank', relation: 'blocking the author', sees: [], timeline: [] },
  ];
  const newestFirst = (vs: MomentVisibility[]) => [...ALL].reverse().filter((v) => vs.includes(v)).map((v) => authored[v]!.moment_id);

  before(async () => {
    cluster = await startCluster();
    for (const name of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) {
      u[name] = await newUser(cluster, name);
      s[name] = await u[name].connect();
    }
    for (const name of ['bob', 'dave', 'erin', 'frank']) await befriend(s.alice!, s[name]!, u[name]!.userId);
  });

  after(async () => {
    for (const socket of Object.values(s)) socket.terminate();
    await cluster?.stop();
  });

  test('while friends, friends see each other on their timelines', async () => {
    daveFriendsOnly = await post(s.dave!, 'friends');
    erinPublic = await post(s.erin!, 'public');
    frankPublic = await post(s.frank!, 'public');
    for (const v of ALL) authored[v] = await post(s.alice!, v);
    // Erin and frank leave likes and comments on alice's public moment, and she on theirs.
    for (const name of ['erin', 'frank']) {
      await s[name]!.request('like_moment', { moment_id: authored.public!.moment_id });
      await s[name]!.request('comment_moment', { moment_id: authored.public!.moment_id, content: `from ${name}` });
    }
    for (const m of [erinPublic, frankPublic]) {
      await s.alice!.request('like_moment', { moment_id: m.moment_id });
      await s.alice!.request('comment_moment', { moment_id: m.moment_id, content: 'from alice' });
    }
    const { moments } = await s.alice!.request('get_timeline', { limit: 50 });
    assert.deepEqual(ids(moments), [...newestFirst(ALL), frankPublic.moment_id, erinPublic.moment_id, daveFriendsOnly.moment_id]);
    assert.deepEqual(ids((await s.bob!.request('get_timeline')).moments), newestFirst(['public', 'friends']));
  });

  test('then the relations change: a friendship ends, a block each way', async () => {
    await s.alice!.request('delete_friend', { user_id: u.dave!.userId });
    await s.alice!.request('block_user', { user_id: u.erin!.userId });
    await s.frank!.request('block_user', { user_id: u.alice!.userId });
  });

  for (const viewer of viewers) {
    test(`${viewer.relation}: the user page, the timeline, and every command on each moment`, async () => {
      const socket = s[viewer.name]!;
      const page = await socket.request('get_user_moments', { user_id: u.alice!.userId });
      assert.deepEqual(ids(page.moments), newestFirst(viewer.sees), 'user page');
      assert.equal(page.next_cursor, null);
      const timeline = await socket.request('get_timeline');
      assert.deepEqual(ids(timeline.moments.filter((m) => m.user_id === u.alice!.userId)), newestFirst(viewer.timeline), 'timeline');

      for (const v of ALL) {
        const moment_id = authored[v]!.moment_id;
        const why = `${v} moment`;
        if (viewer.sees.includes(v)) {
          assert.deepEqual(await socket.request('like_moment', { moment_id }), {}, why);
          const { comment } = await socket.request('comment_moment', { moment_id, content: `${viewer.name} on ${v}` });
          assert.equal(comment.user_id, u[viewer.name]!.userId);
          if (viewer.name !== 'alice') await assert.rejects(socket.request('delete_moment', { moment_id }), code('forbidden', 'moment_id'), why);
        } else {
          await assert.rejects(socket.request('like_moment', { moment_id }), code('not_found', 'moment_id'), why);
          await assert.rejects(socket.request('unlike_moment', { moment_id }), code('not_found', 'moment_id'), why);
          await assert.rejects(socket.request('comment_moment', { moment_id, content: 'hello?' }), code('not_found', 'moment_id'), why);
          await assert.rejects(socket.request('delete_moment', { moment_id }), code('not_found', 'moment_id'), why);
        }
      }
    });
  }

  test('what the author and a friend see of the likes and comments: in order made, none from behind a block', async () => {
    const { moments } = await s.alice!.request('get_user_moments', { user_id: u.alice!.userId });
    const byVisibility = new Map(moments.map((m) => [m.visibility, m]));
    const uid = (...names: string[]) => names.map((n) => u[n]!.userId);
    // Erin's and frank's earlier likes and comments went with the blocks.
    assert.deepEqual(byVisibility.get('public')!.likes, uid('alice', 'bob', 'carol', 'dave'));
    assert.deepEqual(byVisibility.get('public')!.comments.map((c) => c.user_id), uid('alice', 'bob', 'carol', 'dave'));
    assert.deepEqual(byVisibility.get('friends')!.likes, uid('alice', 'bob'));
    assert.deepEqual(byVisibility.get('private')!.likes, uid('alice'));
    assert.deepEqual(byVisibility.get('private')!.comments.map((c) => c.content), ['alice on private']);
    const seenByBob = (await s.bob!.request('get_user_moments', { user_id: u.alice!.userId })).moments;
    assert.deepEqual(seenByBob.find((m) => m.visibility === 'public')!.likes, uid('alice', 'bob', 'carol', 'dave'));
  });

  test('the other direction: the author sees nothing friends-only of a former friend, and nothing at all across a block', async () => {
    const timeline = await s.alice!.request('get_timeline', { limit: 50 });
    assert.deepEqual(ids(timeline.moments), newestFirst(ALL), 'only her own moments remain');
    for (const [name, m] of [['dave', daveFriendsOnly], ['erin', erinPublic], ['frank', frankPublic]] as const) {
      assert.deepEqual((await s.alice!.request('get_user_moments', { user_id: u[name]!.userId })).moments, [], name);
      await assert.rejects(s.alice!.request('like_moment', { moment_id: m.moment_id }), code('not_found', 'moment_id'), name);
      await assert.rejects(s.alice!.request('comment_moment', { moment_id: m.moment_id, content: 'x' }), code('not_found', 'moment_id'), name);
    }
    // Her like and comment on their public moments went with the blocks; a stranger sees them bare.
    for (const m of [erinPublic, frankPublic]) {
      const seen = (await s.carol!.request('get_user_moments', { user_id: m.user_id })).moments;
      assert.deepEqual(seen.map((x) => [x.moment_id, x.likes, x.comments]), [[m.moment_id, [], []]]);
    }
    // Dave's friends-only moment is still his: he sees it, carol does not.
    assert.deepEqual(ids((await s.dave!.request('get_user_moments', { user_id: u.dave!.userId })).moments), [daveFriendsOnly.moment_id]);
    assert.deepEqual((await s.carol!.request('get_user_moments', { user_id: u.dave!.userId })).moments, []);
  });

  test('becoming friends again shows friends-only moments again, with nothing to repair', async () => {
    await befriend(s.dave!, s.alice!, u.alice!.userId);
    assert.deepEqual(ids((await s.dave!.request('get_user_moments', { user_id: u.alice!.userId })).moments), newestFirst(['public', 'friends']));
    assert.ok(ids((await s.alice!.request('get_timeline')).moments).includes(daveFriendsOnly.moment_id));
  });

  test('only the author deletes a moment; then it is gone for everyone', async () => {
    for (const v of ALL) assert.deepEqual(await s.alice!.request('delete_moment', { moment_id: authored[v]!.moment_id }), {});
    assert.deepEqual((await s.bob!.request('get_user_moments', { user_id: u.alice!.userId })).moments, []);
    assert.deepEqual((await s.alice!.request('get_user_moments', { user_id: u.alice!.userId })).moments, []);
    for (const v of ALL) {
      await assert.rejects(s.alice!.request('delete_moment', { moment_id: authored[v]!.moment_id }), code('not_found', 'moment_id'));
      await assert.rejects(s.bob!.request('like_moment', { moment_id: authored[v]!.moment_id }), code('not_found', 'moment_id'));
    }
    await assert.rejects(s.bob!.request('get_user_moments', { user_id: 'u-no-such-user' }), code('not_found', 'user_id'));
  });
});
