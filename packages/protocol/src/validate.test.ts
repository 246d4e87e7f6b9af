import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from './errors.js';
import { checkEventShape, forwardSources } from './kind-rules.js';
import { CommandSchemas } from './commands.js';
import { LoginBody } from './http.js';
import { parse, utf8Length } from './validate.js';

const code = (c: string, field?: string) => (e: unknown) => e instanceof AppError && e.code === c && (field === undefined || e.field === field);
const H = 'a'.repeat(64);

test('utf8Length counts bytes', () => {
  assert.equal(utf8Length('abc'), 3);
  assert.equal(utf8Length('é'), 2);
  assert.equal(utf8Length('😀'), 4);
  assert.equal(utf8Length('x'.repeat(1000)), 1000);
});

test('schema failures become bad_request naming the field; payload limits too_large', () => {
  assert.throws(() => parse(CommandSchemas.sync, { conversation_id: 1 }, 'data'), code('bad_request', 'conversation_id'));
  assert.throws(() => parse(CommandSchemas.sync, undefined, 'data'), code('bad_request'));
  assert.throws(() => parse(CommandSchemas.get_user_info, { user_ids: Array.from({ length: 101 }, () => 'u') }), code('too_large', 'user_ids'));
  assert.throws(() => parse(CommandSchemas.event, { conversation_id: 'c', kind: 1, content: 'x', tags: [[]] }), code('bad_request', 'tags.0'));
  assert.deepEqual(parse(CommandSchemas.get_friend_requests, undefined), undefined);
});

test('a NUL or an unpaired surrogate in any short field is bad_request naming the field', () => {
  const bad = ['a\u0000b', 'x\ud800y'];
  for (const v of bad) {
    assert.throws(() => parse(CommandSchemas.update_profile, { nickname: v }), code('bad_request', 'nickname'));
    assert.throws(() => parse(CommandSchemas.update_profile, { avatar: v }), code('bad_request', 'avatar'));
    assert.throws(() => parse(CommandSchemas.create_group, { name: v, member_ids: [] }), code('bad_request', 'name'));
    assert.throws(() => parse(CommandSchemas.update_group, { group_id: 'g', announcement: v }), code('bad_request', 'announcement'));
    assert.throws(() => parse(CommandSchemas.set_friend_remark, { user_id: 'u', remark: v }), code('bad_request', 'remark'));
    assert.throws(() => parse(CommandSchemas.send_friend_request, { user_id: 'u', message: v }), code('bad_request', 'message'));
    assert.throws(() => parse(CommandSchemas.search_users, { query: v }), code('bad_request', 'query'));
    assert.throws(() => parse(CommandSchemas.sync, { conversation_id: v }), code('bad_request', 'conversation_id'));
    assert.throws(() => parse(LoginBody, { username: v, password: 'pw' }), code('bad_request', 'username'));
    assert.throws(() => parse(LoginBody, { username: 'alice', password: v }), code('bad_request', 'password'));
    assert.throws(() => parse(LoginBody, { username: 'alice', password: 'pw', device_id: v }), code('bad_request', 'device_id'));
  }
  // Ordinary non-ASCII text and emoji pass.
  assert.equal(parse(CommandSchemas.update_profile, { nickname: 'Zoë 😀 李' }).nickname, 'Zoë 😀 李');
});

test('login needs exactly one identifier', () => {
  assert.throws(() => parse(LoginBody, { password: 'x' }), code('bad_request'));
  assert.throws(() => parse(LoginBody, { username: 'a', phone: '+123456', password: 'x' }), code('bad_request'));
  assert.equal(parse(LoginBody, { email: 'a@b.co', password: 'x' }).email, 'a@b.co');
});

test('kind rules: text, file and the rest', () => {
  checkEventShape({ kind: 1, content: 'hi', tags: [['reply', H], ['mention', 'u1']], cid: 'c' });
  assert.throws(() => checkEventShape({ kind: 1, content: 'hi', tags: [] }), code('bad_request', 'cid'));
  assert.throws(() => checkEventShape({ kind: 1, content: '', tags: [], cid: 'c' }), code('bad_request', 'content'));
  assert.throws(() => checkEventShape({ kind: 1, content: 'x'.repeat(16385), tags: [], cid: 'c' }), code('too_large', 'content'));
  assert.throws(() => checkEventShape({ kind: 1, content: 'x', tags: [['reply', 'nothex']], cid: 'c' }), code('bad_request', 'tags'));
  assert.throws(() => checkEventShape({ kind: 1, content: 'x', tags: [['src', H]], cid: 'c' }), code('bad_request', 'tags'));
  checkEventShape({ kind: 3, content: '', tags: [['url', 'https://x/y'], ['m', 'image/png'], ['size', '42']], cid: 'c' });
  assert.throws(() => checkEventShape({ kind: 3, content: '', tags: [['url', 'u'], ['m', 'image/png']], cid: 'c' }), code('bad_request', 'tags'));
  assert.throws(() => checkEventShape({ kind: 3, content: '', tags: [['url', 'u'], ['m', 'x'], ['size', '-1']], cid: 'c' }), code('bad_request', 'tags'));
  checkEventShape({ kind: 10, content: '12', tags: [] });
  assert.throws(() => checkEventShape({ kind: 10, content: 'twelve', tags: [] }), code('bad_request', 'content'));
  checkEventShape({ kind: 11, content: '', tags: [] });
  assert.throws(() => checkEventShape({ kind: 11, content: 'x', tags: [] }), code('bad_request'));
  checkEventShape({ kind: 12, content: '👍', tags: [['e', H], ['remove']], cid: 'c' });
  assert.throws(() => checkEventShape({ kind: 12, content: 'x'.repeat(65), tags: [['e', H]], cid: 'c' }), code('too_large'));
  checkEventShape({ kind: 13, content: '', tags: [['e', H]], cid: 'c' });
  assert.throws(() => checkEventShape({ kind: 13, content: '', tags: [], cid: 'c' }), code('bad_request'));
  assert.throws(() => checkEventShape({ kind: 2, content: 'x', tags: [], cid: 'c' }), code('bad_request', 'kind'));
});

test('src tags are the server\'s in every kind; a forward source named twice counts once', () => {
  const src = ['src', H, '1', 'u', '1', 'x', '[]'];
  for (const kind of [1, 3, 5, 7, 12, 13]) {
    const tags = kind === 3 ? [['url', 'u'], ['m', 'x'], ['size', '1'], src] : [['e', H], src];
    assert.throws(() => checkEventShape({ kind, content: '👍', tags, cid: 'c' }), code('bad_request', 'tags'), `kind ${kind}`);
  }
  const other = 'b'.repeat(64);
  checkEventShape({ kind: 13, content: '', tags: [...Array.from({ length: 30 }, () => ['e', H]), ['e', other]], cid: 'c' });
  const distinct = Array.from({ length: 31 }, (_, i) => ['e', i.toString(16).padStart(64, '0')]);
  assert.throws(() => checkEventShape({ kind: 13, content: '', tags: distinct, cid: 'c' }), code('too_large', 'tags'));
  assert.deepEqual(forwardSources([['e', H], ['x', 'y'], ['e', other], ['e', H]]), [H, other]);
});
