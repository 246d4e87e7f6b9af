import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { encode } from '@im/codec';
import { ImError, ImSocket } from '@im/client';
import type { ErrorBody } from '@im/protocol';
import { befriend, newUser, SECRETS, startCluster, type Cluster, type TestUser } from './cluster.js';
import jwt from 'jsonwebtoken';
import { AccessTokens } from '@im/auth';

/** Each class of bad input gets the contract's answer, and nobody else notices. */
describe('bad input', () => {
  let cluster: Cluster;
  let alice: TestUser;
  let bob: TestUser;
  let conversationId: string;
  let bystander: ImSocket;

  before(async () => {
    cluster = await startCluster();
    alice = await newUser(cluster, 'alice');
    bob = await newUser(cluster, 'bob');
    const a = await alice.connect();
    bystander = await bob.connect();
    conversationId = await befriend(a, bystander, bob.userId);
    a.terminate();
  });

  after(async () => {
    bystander?.terminate();
    await cluster?.stop();
  });

  async function nextError(s: ImSocket, send: () => void): Promise<ErrorBody & { id?: number }> {
    const frame = new Promise<{ cmd: string; id?: number; data: ErrorBody }>((resolve) => s.once('frame', (f) => resolve(f as { cmd: string; id?: number; data: ErrorBody })));
    send();
    const f = await frame;
    assert.equal(f.cmd, 'error');
    return f.id === undefined ? f.data : { ...f.data, id: f.id };
  }

  async function stillServes(): Promise<void> {
    // The other client is unaffected and the process is up.
    const ack = await bystander.sendText(conversationId, `still here ${Date.now()}`);
    assert.ok(ack.seq > 0);
  }

  test('undecodable bytes, non-maps and bad envelopes are bad_frame and the socket stays open', async () => {
    const s = await alice.connect();
    assert.equal((await nextError(s, () => s.sendRaw(Uint8Array.from([0xc1, 0xff])))).code, 'bad_frame');
    assert.equal((await nextError(s, () => s.sendRaw(encode([1, 2, 3])))).code, 'bad_frame');
    assert.equal((await nextError(s, () => s.sendRaw(encode({ id: 5 })))).code, 'bad_frame');
    const withId = await nextError(s, () => s.sendRaw(encode({ cmd: 42, id: 77 })));
    assert.deepEqual([withId.code, withId.id], ['bad_frame', 77]);
    assert.equal((await s.request('ping')).ts > 0, true);
    s.terminate();
    await stillServes();
  });

  test('an unknown command is bad_request', async () => {
    const s = await alice.connect();
    await assert.rejects(s.request('no_such_command' as 'ping'), (e: ImError) => e.code === 'bad_request' && e.field === 'cmd');
    s.terminate();
  });

  test('wrong types and missing fields are bad_request naming the field', async () => {
    const s = await alice.connect();
    await assert.rejects(s.request('sync', { conversation_id: 42 } as never), (e: ImError) => e.code === 'bad_request' && e.field === 'conversation_id');
    await assert.rejects(s.request('send_friend_request', {} as never), (e: ImError) => e.code === 'bad_request' && e.field === 'user_id');
    await assert.rejects(
      s.request('event', { conversation_id: conversationId, kind: 1, content: 'x' } as never),
      (e: ImError) => e.code === 'bad_request' && e.field === 'cid',
    );
    await assert.rejects(
      s.request('sync', { conversation_id: conversationId, after_seq: 1, before_seq: 5 }),
      (e: ImError) => e.code === 'bad_request',
    );
    await assert.rejects(s.request('event', { conversation_id: conversationId, kind: 99, content: 'x', cid: 'k99' }), (e: ImError) => e.code === 'bad_request' && e.field === 'kind');
    await assert.rejects(s.request('sync', { conversation_id: conversationId, limit: 201 }), (e: ImError) => e.code === 'bad_request' && e.field === 'limit');
    s.terminate();
  });

  test('oversized payloads are too_large, oversized short fields bad_request', async () => {
    const s = await alice.connect();
    await assert.rejects(s.sendText(conversationId, 'x'.repeat(16385)), (e: ImError) => e.code === 'too_large' && e.field === 'content');
    // 16384 bytes exactly is fine, counted in UTF-8 bytes, not characters.
    assert.ok((await s.sendText(conversationId, 'x'.repeat(16384))).seq > 0);
    await assert.rejects(s.sendText(conversationId, 'é'.repeat(8193)), (e: ImError) => e.code === 'too_large');
    await assert.rejects(s.sendText(conversationId, ''), (e: ImError) => e.code === 'bad_request');
    const tags = Array.from({ length: 33 }, () => ['mention', bob.userId]);
    await assert.rejects(s.sendText(conversationId, 'hi', { tags }), (e: ImError) => e.code === 'too_large' && e.field === 'tags');
    await assert.rejects(s.sendText(conversationId, 'hi', { tags: [['mention', 'x'.repeat(1025)]] }), (e: ImError) => e.code === 'too_large');
    await assert.rejects(s.request('send_friend_request', { user_id: bob.userId, message: 'm'.repeat(257) }), (e: ImError) => e.code === 'bad_request' && e.field === 'message');
    await assert.rejects(s.request('get_user_info', { user_ids: Array.from({ length: 101 }, (_, i) => `u${i}`) }), (e: ImError) => e.code === 'too_large');
    await assert.rejects(s.sendText(conversationId, 'hi', { cid: 'c'.repeat(65) }), (e: ImError) => e.code === 'bad_request' && e.field === 'cid');
    s.terminate();
    await stillServes();
  });

  test('a NUL or an unpaired surrogate in any short field is bad_request naming it, never internal', async () => {
    const s = await alice.connect();
    const { group_id } = (await s.request('create_group', { name: 'nul test', member_ids: [] })).group;
    for (const bad of ['a\u0000b', 'a\ud800b']) {
      const cases: Array<[Promise<unknown>, string]> = [
        [s.request('update_profile', { nickname: bad }), 'nickname'],
        [s.request('update_profile', { avatar: bad }), 'avatar'],
        [s.request('create_group', { name: bad, member_ids: [] }), 'name'],
        [s.request('update_group', { group_id, name: bad }), 'name'],
        [s.request('update_group', { group_id, announcement: bad }), 'announcement'],
        [s.request('set_friend_remark', { user_id: bob.userId, remark: bad }), 'remark'],
        [s.request('send_friend_request', { user_id: bob.userId, message: bad }), 'message'],
        [s.request('search_users', { query: bad }), 'query'],
        [s.request('get_user_info', { user_ids: [bad] }), 'user_ids.0'],
      ];
      for (const [call, field] of cases) await assert.rejects(call, (e: ImError) => e.code === 'bad_request' && e.field === field, `${field} with ${JSON.stringify(bad)}`);
      for (const body of [{ username: bad, password: 'long enough password' }, { username: 'nul_user', password: `long ${bad} password` }, { username: 'nul_user', password: 'long enough password', nickname: bad }]) {
        await assert.rejects(cluster.http.register(body), (e: ImError) => e.status === 400 && e.code === 'bad_request');
      }
      await assert.rejects(cluster.http.login({ username: alice.username, password: alice.password, device_id: bad }), (e: ImError) => e.status === 400 && e.field === 'device_id');
      await assert.rejects(cluster.http.login({ username: bad, password: 'whatever' }), (e: ImError) => e.status === 400 && e.field === 'username');
    }
    s.terminate();
    await stillServes();
  });

  test('a request without id hears nothing on success and an error without id on failure', async () => {
    const s = await alice.connect();
    const frames: Array<{ cmd: string; id?: number }> = [];
    s.on('frame', (f) => frames.push(f));
    s.notify('event', { conversation_id: conversationId, kind: 1, content: 'silent', cid: `silent-${Date.now()}` });
    s.notify('sync', { conversation_id: 7 } as never);
    await s.request('ping');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(frames.map((f) => [f.cmd, f.id]), [['error', undefined], ['pong', 1]]);
    s.terminate();
  });

  test('a text frame closes with 1003', async () => {
    const s = await alice.connect();
    s.sendRaw('{"cmd":"ping"}');
    assert.equal((await s.closed).code, 1003);
  });

  test('a frame over max_frame_bytes closes with 1009', async () => {
    const s = await alice.connect();
    s.sendRaw(encode({ cmd: 'ping', data: 'x'.repeat(70_000) }));
    assert.equal((await s.closed).code, 1009);
    await stillServes();
  });

  test('more than 10 bad frames in a minute closes with 1008', async () => {
    const s = await alice.connect();
    for (let i = 0; i < 11; i++) s.sendRaw(Uint8Array.from([0xc1]));
    assert.equal((await s.closed).code, 1008);
    await stillServes();
  });

  test('missing, invalid, expired and revoked tokens are refused with 401 at upgrade', async () => {
    const url = cluster.http.wsUrl();
    const refused = (e: ImError) => e.status === 401;
    await assert.rejects(ImSocket.connect(url, ''), refused);
    await assert.rejects(ImSocket.connect(url, 'not-a-jwt'), refused);
    const forged = new AccessTokens('some-other-secret-entirely').issue(alice.userId, 's', Date.now(), 60).token;
    await assert.rejects(ImSocket.connect(url, forged), refused);
    const bareSecret = jwt.sign({ sub: alice.userId, sid: 's', typ: 'access' }, SECRETS.JWT_SECRET, { expiresIn: 60 });
    await assert.rejects(ImSocket.connect(url, bareSecret), refused);
    const tokens = new AccessTokens(SECRETS.JWT_SECRET);
    const expired = tokens.issue(alice.userId, 's', Date.now() - 120_000, 60).token;
    await assert.rejects(ImSocket.connect(url, expired), refused);
    const unknownSession = tokens.issue(alice.userId, 'no-such-session', Date.now(), 60).token;
    await assert.rejects(ImSocket.connect(url, unknownSession), refused);
    const viaHeader = await ImSocket.connect(url, alice.session.token, { useHeader: true });
    viaHeader.terminate();
    await assert.rejects(ImSocket.connect(url, 'x', { useHeader: true }), refused);
  });

  test('logout revokes the session: its open sockets close with 4003 and its token is refused', async () => {
    const session = await cluster.http.login({ username: alice.username, password: alice.password, device_id: 'tablet', platform: 'other' });
    assert.equal(session.device_id, 'tablet');
    const s = await ImSocket.connect(cluster.http.wsUrl(), session.token);
    const other = await alice.connect();
    await cluster.http.logout(session.token);
    assert.equal((await s.closed).code, 4003);
    await assert.rejects(ImSocket.connect(cluster.http.wsUrl(), session.token), (e: ImError) => e.status === 401);
    await assert.rejects(cluster.http.logout(session.token), (e: ImError) => e.status === 401);
    // Other sessions of the same user are untouched.
    assert.ok((await other.request('ping')).ts > 0);
    other.terminate();
  });

  test('HTTP: malformed JSON and invalid bodies get the contract error, not a stack', async () => {
    const base = cluster.gatewayUrl;
    const raw = await fetch(`${base}/api/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":' });
    assert.equal(raw.status, 400);
    const rawBody = (await raw.json()) as { error: ErrorBody };
    assert.equal(rawBody.error.code, 'bad_request');
    assert.ok(!JSON.stringify(rawBody).includes('at '));

    await assert.rejects(cluster.http.register({ username: 'ab', password: 'long enough password' }), (e: ImError) => e.status === 400 && e.field === 'username');
    await assert.rejects(cluster.http.register({ username: 'has space', password: 'long enough password' }), (e: ImError) => e.status === 400 && e.field === 'username');
    await assert.rejects(cluster.http.register({ username: 'validname', password: 'short' }), (e: ImError) => e.status === 400 && e.field === 'password');
    await assert.rejects(cluster.http.register({ username: 'validname', password: 'long enough', phone: '12345' }), (e: ImError) => e.status === 400 && e.field === 'phone');
    await assert.rejects(cluster.http.login({ password: 'x' }), (e: ImError) => e.status === 400);
    await assert.rejects(cluster.http.login({ username: 'a', email: 'a@b.co', password: 'x' }), (e: ImError) => e.status === 400);
  });

  test('HTTP: duplicate usernames are 409 naming the field, case-insensitively; bad credentials 401 alike', async () => {
    await assert.rejects(
      cluster.http.register({ username: alice.username.toUpperCase(), password: 'long enough password' }),
      (e: ImError) => e.status === 409 && e.code === 'conflict' && e.field === 'username',
    );
    const wrongPassword = await cluster.http.login({ username: alice.username, password: 'wrong password' }).catch((e: ImError) => e);
    const unknownUser = await cluster.http.login({ username: 'nobody-here', password: 'wrong password' }).catch((e: ImError) => e);
    assert.ok(wrongPassword instanceof ImError && unknownUser instanceof ImError);
    assert.deepEqual([wrongPassword.status, wrongPassword.code, wrongPassword.message], [401, 'unauthorized', unknownUser.message]);
    assert.equal(unknownUser.status, 401);
  });
});
