import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommandSchemas } from './commands.js';
import { AppError } from './errors.js';
import { decodeMomentCursor, encodeMomentCursor } from './moments.js';
import { SeakingParams } from './rpc-seaking.js';
import { parse } from './validate.js';

const code = (c: string, field?: string) => (e: unknown) => e instanceof AppError && e.code === c && e.field === field;

test('a cursor decodes to the position it was made from', () => {
  for (const p of [
    { created_at: 0, moment_id: 'm1' },
    { created_at: 1732200000123, moment_id: 'mlz0k3q1a2b3c4d5e6f7a8b9' },
    { created_at: Number.MAX_SAFE_INTEGER, moment_id: 'x'.repeat(64) },
    { created_at: 5, moment_id: 'with.dots.and-ünïcødé 😀' },
  ]) {
    const cursor = encodeMomentCursor(p);
    assert.match(cursor, /^[A-Za-z0-9_-]+$/, 'base64url, safe in any transport');
    assert.deepEqual(decodeMomentCursor(cursor), p);
  }
});

test('anything but a cursor the server made is refused', () => {
  const valid = encodeMomentCursor({ created_at: 1732200000123, moment_id: 'm1' });
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
  for (const bad of [
    '',
    'not a cursor!',
    `${valid}=`, // padding: another spelling of the same bytes
    valid.slice(0, -1),
    b64('1732200000123'), // no id
    b64('.m1'), // no time
    b64('-5.m1'),
    b64('01.m1'), // leading zero: not canonical
    b64('12345678901234567.m1'), // past 2^53
    b64(`1.${'x'.repeat(65)}`),
    b64('1.m\u0000'),
    Buffer.from([0x31, 0x2e, 0xff]).toString('base64url'), // not UTF-8
    'A'.repeat(201),
  ]) {
    assert.equal(decodeMomentCursor(bad), undefined, `accepted ${JSON.stringify(bad)}`);
  }
});

test('a malformed cursor is bad_request naming `before`, at the edge and at seaking', () => {
  assert.throws(() => parse(CommandSchemas.get_timeline, { before: 'garbage' }), code('bad_request', 'before'));
  assert.throws(() => parse(CommandSchemas.get_user_moments, { user_id: 'u1', before: 42 }), code('bad_request', 'before'));
  assert.throws(() => parse(SeakingParams['seaking.getTimeline'], { user_id: 'u1', before: 'x' }), code('bad_request', 'before'));
  const cursor = encodeMomentCursor({ created_at: 7, moment_id: 'm7' });
  assert.deepEqual(parse(SeakingParams['seaking.getTimeline'], { user_id: 'u1', before: cursor }), { user_id: 'u1', before: { created_at: 7, moment_id: 'm7' }, limit: 20 });
});

test('post_moment: content, images, location and visibility, each with its code and field', () => {
  const ok = { content: 'hello', visibility: 'public' };
  assert.deepEqual(parse(CommandSchemas.post_moment, ok), ok);
  assert.equal(parse(CommandSchemas.post_moment, { content: '😀'.repeat(4096), visibility: 'friends' }).content.length, 8192, 'characters, not UTF-16 units');
  assert.throws(() => parse(CommandSchemas.post_moment, { content: 'x'.repeat(4097), visibility: 'public' }), code('too_large', 'content'));
  assert.throws(() => parse(CommandSchemas.post_moment, { content: 'a\u0000b', visibility: 'public' }), code('bad_request', 'content'));
  assert.throws(() => parse(CommandSchemas.post_moment, { content: 'a\ud800', visibility: 'public' }), code('bad_request', 'content'));
  assert.throws(() => parse(CommandSchemas.post_moment, { content: '', visibility: 'public' }), code('bad_request', 'content'));
  assert.throws(() => parse(CommandSchemas.post_moment, { visibility: 'public' }), code('bad_request', 'content'));
  assert.throws(() => parse(CommandSchemas.post_moment, { content: 'x' }), code('bad_request', 'visibility'));
  assert.throws(() => parse(CommandSchemas.post_moment, { content: 'x', visibility: 'everyone' }), code('bad_request', 'visibility'));

  const image = 'https://img.example/a.jpg';
  assert.equal(parse(CommandSchemas.post_moment, { content: '', images: [image], visibility: 'public' }).images?.length, 1, 'a photo needs no text');
  parse(CommandSchemas.post_moment, { ...ok, images: Array(9).fill(image) });
  assert.throws(() => parse(CommandSchemas.post_moment, { ...ok, images: Array(10).fill(image) }), code('too_large', 'images'));
  assert.throws(() => parse(CommandSchemas.post_moment, { ...ok, images: [image, `https://img.example/${'x'.repeat(1024)}`] }), code('too_large', 'images.1'));
  for (const bad of ['not a url', 'javascript:alert(1)', 'ftp://x/y', `https://x/\u0000`, 42]) {
    assert.throws(() => parse(CommandSchemas.post_moment, { ...ok, images: [bad] }), code('bad_request', 'images.0'), String(bad));
  }
  assert.throws(() => parse(CommandSchemas.post_moment, { ...ok, images: 'https://x/y' }), code('bad_request', 'images'));

  const here = { name: 'Old Town', lat: 47.37, lng: 8.54 };
  assert.deepEqual(parse(CommandSchemas.post_moment, { ...ok, location: here }).location, here);
  assert.equal(parse(CommandSchemas.post_moment, { ...ok, location: null }).location, null);
  parse(CommandSchemas.post_moment, { ...ok, location: { name: 'Pole', lat: -90, lng: 180 } });
  assert.throws(() => parse(CommandSchemas.post_moment, { ...ok, location: { ...here, lat: 90.5 } }), code('bad_request', 'location.lat'));
  assert.throws(() => parse(CommandSchemas.post_moment, { ...ok, location: { ...here, lng: -181 } }), code('bad_request', 'location.lng'));
  assert.throws(() => parse(CommandSchemas.post_moment, { ...ok, location: { ...here, lat: Number.NaN } }), code('bad_request', 'location.lat'));
  assert.throws(() => parse(CommandSchemas.post_moment, { ...ok, location: { lat: 1, lng: 2 } }), code('bad_request', 'location.name'));
  assert.throws(() => parse(CommandSchemas.post_moment, { ...ok, location: { ...here, name: 'a\u0000' } }), code('bad_request', 'location.name'));
});

test('comments: 1 to 1024 characters; pages: limit 1 to 50', () => {
  parse(CommandSchemas.comment_moment, { moment_id: 'm1', content: 'x'.repeat(1024) });
  assert.throws(() => parse(CommandSchemas.comment_moment, { moment_id: 'm1', content: 'x'.repeat(1025) }), code('too_large', 'content'));
  assert.throws(() => parse(CommandSchemas.comment_moment, { moment_id: 'm1', content: '' }), code('bad_request', 'content'));
  assert.throws(() => parse(CommandSchemas.comment_moment, { moment_id: 'm1', content: 'a\u0000' }), code('bad_request', 'content'));
  assert.throws(() => parse(CommandSchemas.comment_moment, { moment_id: 'm1', content: 'x', reply_to_comment_id: '' }), code('bad_request', 'reply_to_comment_id'));
  assert.throws(() => parse(CommandSchemas.comment_moment, { content: 'x' }), code('bad_request', 'moment_id'));
  for (const limit of [0, 51, 2.5, '10']) {
    assert.throws(() => parse(CommandSchemas.get_timeline, { limit }), code('bad_request', 'limit'), String(limit));
  }
  assert.deepEqual(parse(CommandSchemas.get_timeline, undefined), undefined);
  assert.equal(parse(SeakingParams['seaking.getUserMoments'], { user_id: 'u1', target_id: 'u2' }).limit, 20);
});
