import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ImSocket } from '@im/client';
import type { Moment } from '@im/protocol';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from './cluster.js';
import { code, post } from './moments-helpers.js';

/** Likes, comments, replies and deletions on moments, with who may do what. */
describe('moments: likes, comments and deletions', () => {
  let cluster: Cluster;
  let alice: TestUser, bob: TestUser, carol: TestUser, dave: TestUser;
  let a: ImSocket, b: ImSocket, c: ImSocket, d: ImSocket;

  before(async () => {
    cluster = await startCluster();
    [alice, bob, carol, dave] = await Promise.all([newUser(cluster, 'alice'), newUser(cluster, 'bob'), newUser(cluster, 'carol'), newUser(cluster, 'dave')]);
    [a, b, c, d] = await Promise.all([alice.connect(), bob.connect(), carol.connect(), dave.connect()]);
    // Bob and carol are alice's friends; dave is a stranger to everyone.
    await befriend(a, b, bob.userId);
    await befriend(a, c, carol.userId);
  });

  after(async () => {
    for (const s of [a, b, c, d]) s?.terminate();
    await cluster?.stop();
  });

  /** The moment as the given socket's user sees it now. */
  async function seen(s: ImSocket, m: Moment): Promise<Moment> {
    const { moments } = await s.request('get_user_moments', { user_id: m.user_id, limit: 50 });
    const found = moments.find((x) => x.moment_id === m.moment_id);
    assert.ok(found, 'the moment is visible');
    return found;
  }

  test('post_moment returns the moment as stored, with images and a place', async () => {
    const location = { name: 'Lake shore', lat: 47.36, lng: 8.55 };
    const images = ['https://img.example/1.jpg', 'http://img.example/2.png'];
    const { moment } = await a.request('post_moment', { content: 'Sunset 🌅', images, location, visibility: 'friends' });
    assert.equal(moment.user_id, alice.userId);
    assert.deepEqual([moment.content, moment.images, moment.location, moment.visibility, moment.likes, moment.comments], ['Sunset 🌅', images, location, 'friends', [], []]);
    assert.ok(moment.created_at > 0 && moment.moment_id.length > 0);
    assert.deepEqual(await seen(b, moment), moment, 'a friend reads exactly what was posted');
    const bare = (await a.request('post_moment', { content: 'no place', visibility: 'public' })).moment;
    assert.deepEqual([bare.images, bare.location], [[], null]);
  });

  test('like and unlike are idempotent; likes keep the order they were made', async () => {
    const m = await post(a, 'public');
    assert.deepEqual(await b.request('like_moment', { moment_id: m.moment_id }), {});
    assert.deepEqual(await b.request('like_moment', { moment_id: m.moment_id }), {});
    assert.deepEqual((await seen(a, m)).likes, [bob.userId]);
    assert.deepEqual(await b.request('unlike_moment', { moment_id: m.moment_id }), {});
    assert.deepEqual(await b.request('unlike_moment', { moment_id: m.moment_id }), {});
    assert.deepEqual(await c.request('unlike_moment', { moment_id: m.moment_id }), {}, 'never liked: still succeeds');
    assert.deepEqual((await seen(a, m)).likes, []);
    for (const s of [c, d, a, b]) await s.request('like_moment', { moment_id: m.moment_id });
    assert.deepEqual((await seen(b, m)).likes, [carol.userId, dave.userId, alice.userId, bob.userId]);
    // Liking again does not move a like to the end.
    await c.request('like_moment', { moment_id: m.moment_id });
    assert.deepEqual((await seen(b, m)).likes, [carol.userId, dave.userId, alice.userId, bob.userId]);
    await assert.rejects(b.request('like_moment', { moment_id: 'm-no-such-moment' }), code('not_found', 'moment_id'));
    await assert.rejects(b.request('unlike_moment', { moment_id: 'm-no-such-moment' }), code('not_found', 'moment_id'));
  });

  test('comments in order made; a reply names the comment and the user it answers', async () => {
    const m = await post(a, 'friends');
    const top = (await b.request('comment_moment', { moment_id: m.moment_id, content: 'Nice!' })).comment;
    assert.deepEqual([top.user_id, top.content, top.reply_to_comment_id, top.reply_to_user_id], [bob.userId, 'Nice!', null, null]);
    const reply = (await a.request('comment_moment', { moment_id: m.moment_id, content: 'Thanks', reply_to_comment_id: top.comment_id })).comment;
    assert.deepEqual([reply.reply_to_comment_id, reply.reply_to_user_id], [top.comment_id, bob.userId]);
    const replyToReply = (await c.request('comment_moment', { moment_id: m.moment_id, content: '+1', reply_to_comment_id: reply.comment_id })).comment;
    assert.equal(replyToReply.reply_to_user_id, alice.userId);
    const ownReply = (await b.request('comment_moment', { moment_id: m.moment_id, content: 'also', reply_to_comment_id: top.comment_id })).comment;
    assert.equal(ownReply.reply_to_user_id, bob.userId, 'answering oneself is allowed');
    assert.deepEqual((await seen(c, m)).comments, [top, reply, replyToReply, ownReply]);
  });

  test('reply_to_comment_id must name a comment of the same moment that the replier may see', async () => {
    const m1 = await post(a, 'public');
    const m2 = await post(a, 'public');
    const onM1 = (await b.request('comment_moment', { moment_id: m1.moment_id, content: 'on m1' })).comment;
    await assert.rejects(
      c.request('comment_moment', { moment_id: m2.moment_id, content: 'x', reply_to_comment_id: onM1.comment_id }),
      code('not_found', 'reply_to_comment_id'),
      'a comment of another moment',
    );
    await assert.rejects(c.request('comment_moment', { moment_id: m2.moment_id, content: 'x', reply_to_comment_id: 'k-no-such-comment' }), code('not_found', 'reply_to_comment_id'));
    // A comment on a moment dave may not see cannot be replied to from a moment he may see.
    const hidden = await post(a, 'friends');
    const onHidden = (await b.request('comment_moment', { moment_id: hidden.moment_id, content: 'secret' })).comment;
    await assert.rejects(d.request('comment_moment', { moment_id: m1.moment_id, content: 'x', reply_to_comment_id: onHidden.comment_id }), code('not_found', 'reply_to_comment_id'));
    assert.deepEqual((await seen(a, m2)).comments, [], 'nothing was stored');
  });

  test('delete_comment: the comment author and the moment author may; anyone else who sees it is refused', async () => {
    const m = await post(a, 'public');
    const byBob = (await b.request('comment_moment', { moment_id: m.moment_id, content: 'by bob' })).comment;
    const byCarol = (await c.request('comment_moment', { moment_id: m.moment_id, content: 'by carol' })).comment;
    const reply = (await d.request('comment_moment', { moment_id: m.moment_id, content: 'reply', reply_to_comment_id: byBob.comment_id })).comment;
    await assert.rejects(c.request('delete_comment', { comment_id: byBob.comment_id }), code('forbidden', 'comment_id'), 'another commenter');
    await assert.rejects(d.request('delete_comment', { comment_id: byBob.comment_id }), code('forbidden', 'comment_id'), 'a stranger replying');
    assert.deepEqual(await b.request('delete_comment', { comment_id: byBob.comment_id }), {}, 'its author');
    assert.deepEqual(await a.request('delete_comment', { comment_id: byCarol.comment_id }), {}, "the moment's author");
    await assert.rejects(b.request('delete_comment', { comment_id: byBob.comment_id }), code('not_found', 'comment_id'), 'already gone');
    await assert.rejects(b.request('delete_comment', { comment_id: 'k-no-such-comment' }), code('not_found', 'comment_id'));
    // The reply stays, still naming what it answered.
    assert.deepEqual((await seen(a, m)).comments, [reply]);
    assert.deepEqual([reply.reply_to_comment_id, reply.reply_to_user_id], [byBob.comment_id, bob.userId]);
  });

  test('on a moment the caller may not see, a comment is not there for them', async () => {
    const m = await post(a, 'friends');
    const byBob = (await b.request('comment_moment', { moment_id: m.moment_id, content: 'friends only' })).comment;
    await assert.rejects(d.request('delete_comment', { comment_id: byBob.comment_id }), code('not_found', 'comment_id'));
  });

  test('once a friendship ends, the former friend can no longer like or comment on friends-only moments', async () => {
    const m = await post(a, 'friends');
    const earlier = (await c.request('comment_moment', { moment_id: m.moment_id, content: 'while friends' })).comment;
    await c.request('like_moment', { moment_id: m.moment_id });
    await a.request('delete_friend', { user_id: carol.userId });
    await assert.rejects(c.request('comment_moment', { moment_id: m.moment_id, content: 'still here?' }), code('not_found', 'moment_id'));
    await assert.rejects(c.request('like_moment', { moment_id: m.moment_id }), code('not_found', 'moment_id'));
    await assert.rejects(c.request('unlike_moment', { moment_id: m.moment_id }), code('not_found', 'moment_id'));
    await assert.rejects(c.request('delete_comment', { comment_id: earlier.comment_id }), code('not_found', 'comment_id'));
    await assert.rejects(c.request('comment_moment', { moment_id: m.moment_id, content: 'x', reply_to_comment_id: earlier.comment_id }), code('not_found', 'moment_id'));
    // What was made while friends stays, for those who may see the moment.
    const now = await seen(b, m);
    assert.deepEqual([now.likes, now.comments], [[carol.userId], [earlier]]);
    await befriend(c, a, alice.userId);
  });

  test('deleting a moment takes its likes and comments with it', async () => {
    const m = await post(a, 'public');
    await b.request('like_moment', { moment_id: m.moment_id });
    const comment = (await b.request('comment_moment', { moment_id: m.moment_id, content: 'soon gone' })).comment;
    assert.deepEqual(await a.request('delete_moment', { moment_id: m.moment_id }), {});
    await assert.rejects(b.request('delete_comment', { comment_id: comment.comment_id }), code('not_found', 'comment_id'));
    await assert.rejects(b.request('unlike_moment', { moment_id: m.moment_id }), code('not_found', 'moment_id'));
    await assert.rejects(b.request('comment_moment', { moment_id: m.moment_id, content: 'x' }), code('not_found', 'moment_id'));
    assert.ok(!(await a.request('get_user_moments', { user_id: alice.userId, limit: 50 })).moments.some((x) => x.moment_id === m.moment_id));
  });
});
