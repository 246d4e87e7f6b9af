import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ImSocket } from '@im/client';
import { newUser, startCluster, type Cluster, type TestUser } from './cluster.js';
import { code, post } from './moments-helpers.js';

/** Every class of bad input to the moment commands, over the wire: its code and its field. */
describe('moments: bad input', () => {
  let cluster: Cluster;
  let alice: TestUser;
  let a: ImSocket;
  let momentId: string;

  before(async () => {
    cluster = await startCluster();
    alice = await newUser(cluster, 'alice');
    a = await alice.connect();
    momentId = (await post(a, 'public', 'the one moment')).moment_id;
  });

  after(async () => {
    a?.terminate();
    await cluster?.stop();
  });

  const url = 'https://img.example/p.jpg';
  const here = { name: 'Harbour', lat: 1.28, lng: 103.85 };

  test('post_moment', async () => {
    const cases: Array<[unknown, string, string]> = [
      [{ content: 'x'.repeat(4097), visibility: 'public' }, 'too_large', 'content'],
      [{ content: 'a\u0000b', visibility: 'public' }, 'bad_request', 'content'],
      [{ content: 'lone \udc00', visibility: 'public' }, 'bad_request', 'content'],
      [{ content: 42, visibility: 'public' }, 'bad_request', 'content'],
      [{ content: '', visibility: 'public' }, 'bad_request', 'content'],
      [{ visibility: 'public' }, 'bad_request', 'content'],
      [{ content: 'x' }, 'bad_request', 'visibility'],
      [{ content: 'x', visibility: 'secret' }, 'bad_request', 'visibility'],
      [{ content: 'x', visibility: 'public', images: Array(10).fill(url) }, 'too_large', 'images'],
      [{ content: 'x', visibility: 'public', images: [url, `https://img.example/${'p'.repeat(1010)}`] }, 'too_large', 'images.1'],
      [{ content: 'x', visibility: 'public', images: ['not a url'] }, 'bad_request', 'images.0'],
      [{ content: 'x', visibility: 'public', images: ['data:image/png;base64,AAAA'] }, 'bad_request', 'images.0'],
      [{ content: 'x', visibility: 'public', images: [`${url}\u0000`] }, 'bad_request', 'images.0'],
      [{ content: 'x', visibility: 'public', images: url }, 'bad_request', 'images'],
      [{ content: 'x', visibility: 'public', location: { ...here, lat: 91 } }, 'bad_request', 'location.lat'],
      [{ content: 'x', visibility: 'public', location: { ...here, lat: -90.01 } }, 'bad_request', 'location.lat'],
      [{ content: 'x', visibility: 'public', location: { ...here, lng: 180.5 } }, 'bad_request', 'location.lng'],
      [{ content: 'x', visibility: 'public', location: { ...here, lng: '103' } }, 'bad_request', 'location.lng'],
      [{ content: 'x', visibility: 'public', location: { lat: 0, lng: 0 } }, 'bad_request', 'location.name'],
      [{ content: 'x', visibility: 'public', location: { ...here, name: 'n\u0000' } }, 'bad_request', 'location.name'],
      [{ content: 'x', visibility: 'public', location: { ...here, name: 'n'.repeat(129) } }, 'bad_request', 'location.name'],
      [{ content: 'x', visibility: 'public', location: 'Harbour' }, 'bad_request', 'location'],
    ];
    for (const [data, expected, field] of cases) {
      await assert.rejects(a.request('post_moment', data as never), code(expected, field), JSON.stringify(data).slice(0, 120));
    }
    await assert.rejects(a.request('post_moment', 'text' as never), code('bad_request'));
    // The limits themselves pass: 4096 characters (an emoji is one), 9 images of 1024 characters, the poles.
    const longest = `https://img.example/${'p'.repeat(1024 - 20)}`;
    assert.equal(longest.length, 1024);
    const { moment } = await a.request('post_moment', {
      content: '😀'.repeat(4096),
      images: Array(9).fill(longest),
      location: { name: 'Pole', lat: -90, lng: 180 },
      visibility: 'private',
    });
    assert.deepEqual([[...moment.content].length, moment.images.length, moment.location], [4096, 9, { name: 'Pole', lat: -90, lng: 180 }]);
    await a.request('delete_moment', { moment_id: moment.moment_id });
  });

  test('comment_moment', async () => {
    const cases: Array<[unknown, string, string]> = [
      [{ moment_id: momentId, content: '' }, 'bad_request', 'content'],
      [{ moment_id: momentId, content: 'x'.repeat(1025) }, 'too_large', 'content'],
      [{ moment_id: momentId, content: 'a\u0000' }, 'bad_request', 'content'],
      [{ moment_id: momentId }, 'bad_request', 'content'],
      [{ content: 'x' }, 'bad_request', 'moment_id'],
      [{ moment_id: 7, content: 'x' }, 'bad_request', 'moment_id'],
      [{ moment_id: 'm\u0000', content: 'x' }, 'bad_request', 'moment_id'],
      [{ moment_id: momentId, content: 'x', reply_to_comment_id: '' }, 'bad_request', 'reply_to_comment_id'],
      [{ moment_id: momentId, content: 'x', reply_to_comment_id: 5 }, 'bad_request', 'reply_to_comment_id'],
    ];
    for (const [data, expected, field] of cases) {
      await assert.rejects(a.request('comment_moment', data as never), code(expected, field), JSON.stringify(data).slice(0, 120));
    }
    assert.equal((await a.request('comment_moment', { moment_id: momentId, content: 'x'.repeat(1024) })).comment.content.length, 1024);
  });

  test('the commands that name a moment, a comment or a user, and the page requests', async () => {
    for (const cmd of ['like_moment', 'unlike_moment', 'delete_moment'] as const) {
      await assert.rejects(a.request(cmd, {} as never), code('bad_request', 'moment_id'), cmd);
      await assert.rejects(a.request(cmd, { moment_id: '' }), code('bad_request', 'moment_id'), cmd);
      await assert.rejects(a.request(cmd, { moment_id: 'x'.repeat(65) }), code('bad_request', 'moment_id'), cmd);
      await assert.rejects(a.request(cmd, { moment_id: 'm\u0000' }), code('bad_request', 'moment_id'), cmd);
    }
    await assert.rejects(a.request('delete_comment', { comment_id: 'k\u0000' }), code('bad_request', 'comment_id'));
    await assert.rejects(a.request('delete_comment', {} as never), code('bad_request', 'comment_id'));
    await assert.rejects(a.request('get_user_moments', {} as never), code('bad_request', 'user_id'));
    await assert.rejects(a.request('get_user_moments', { user_id: 'u\u0000' }), code('bad_request', 'user_id'));
    await assert.rejects(a.request('get_timeline', { limit: 'ten' } as never), code('bad_request', 'limit'));
    await assert.rejects(a.request('get_timeline', { before: 12 } as never), code('bad_request', 'before'));
    await assert.rejects(a.request('get_timeline', 'all' as never), code('bad_request'));
  });

  test('nothing bad was stored, and the socket still serves', async () => {
    const { moments } = await a.request('get_user_moments', { user_id: alice.userId });
    assert.deepEqual(
      moments.map((m) => [m.content, m.comments.length]),
      [['the one moment', 1]],
    );
  });
});
