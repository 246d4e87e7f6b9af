import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ImError, ImSocket } from '@im/client';
import { newUser, startCluster, type Cluster } from './cluster.js';
import { waitForMail } from './mail.js';

const status = (s: number, c?: string) => (e: ImError) => e.status === s && (c === undefined || e.code === c);

describe('sessions: refresh, replacement, expiry, throttling and email codes', () => {
  let cluster: Cluster;
  const mailDir = fs.mkdtempSync(path.join(os.tmpdir(), 'im-mail-'));

  before(async () => {
    cluster = await startCluster({
      // Throttle counters live in Redis, where every gateway sees the same counts.
      redis: true,
      gatewayEnv: { LOGIN_MAX_FAILURES: '3', LOGIN_MAX_FAILURES_PER_ADDRESS: '8' },
      seakingEnv: { ACCESS_TOKEN_TTL: '3', MAILER_DIR: mailDir },
    });
  });

  after(async () => {
    await cluster?.stop();
    fs.rmSync(mailDir, { recursive: true, force: true });
  });

  test('refresh rotates the token; reusing a spent one revokes the session everywhere', async () => {
    const user = await newUser(cluster, 'rot');
    const renewed = await cluster.http.refresh(user.session.refresh_token);
    assert.notEqual(renewed.refresh_token, user.session.refresh_token);
    assert.equal(renewed.user.user_id, user.userId);
    const socket = await ImSocket.connect(cluster.http.wsUrl(), renewed.token);
    // The spent token is refused, and presenting it revokes the session it belonged to.
    await assert.rejects(cluster.http.refresh(user.session.refresh_token), status(401, 'unauthorized'));
    assert.equal((await socket.closed).code, 4003);
    await assert.rejects(cluster.http.refresh(renewed.refresh_token), status(401));
    await assert.rejects(ImSocket.connect(cluster.http.wsUrl(), renewed.token), status(401));
    await assert.rejects(cluster.http.refresh('not-a-token'), status(401));
  });

  test('logging in again on the same device replaces its session', async () => {
    const user = await newUser(cluster, 'dev', { device_id: 'phone-1' });
    const old = await user.connect();
    const other = await ImSocket.connect(cluster.http.wsUrl(), (await cluster.http.login({ username: user.username, password: user.password, device_id: 'laptop' })).token);
    const again = await cluster.http.login({ username: user.username, password: user.password, device_id: 'phone-1' });
    assert.equal((await old.closed).code, 4003);
    assert.ok((await other.request('ping')).ts > 0);
    const fresh = await ImSocket.connect(cluster.http.wsUrl(), again.token);
    assert.ok((await fresh.request('ping')).ts > 0);
    other.terminate();
    fresh.terminate();
  });

  test('an open socket closes with 4001 when its access token expires', async () => {
    const user = await newUser(cluster, 'exp');
    const socket = await user.connect();
    const closed = await socket.closed;
    assert.equal(closed.code, 4001);
    await assert.rejects(user.connect(), status(401));
  });

  test('too many failed logins for one account: 429 with Retry-After, even with the right password', async () => {
    const user = await newUser(cluster, 'thr');
    for (let i = 0; i < 3; i++) await assert.rejects(cluster.http.login({ username: user.username, password: 'wrong password' }), status(401));
    await assert.rejects(
      cluster.http.login({ username: user.username.toUpperCase(), password: user.password }),
      (e: ImError) => e.status === 429 && e.code === 'rate_limited' && (e.retryAfter ?? 0) > 0,
    );
  });

  test('email codes: mailed, single use, one per minute, attempts limited; unknown addresses get an account', async () => {
    const email = `Code.User+${Date.now().toString(36)}@Example.org`;
    await cluster.http.requestCode(email);
    await assert.rejects(cluster.http.requestCode(email), (e: ImError) => e.status === 429 && (e.retryAfter ?? 0) > 0);
    await assert.rejects(cluster.http.requestCode('not-an-email'), status(400, 'bad_request'));
    const mail = await waitForMail(mailDir, email.toLowerCase());
    const code = /(\d{6})/.exec(mail.text)![1]!;
    await assert.rejects(cluster.http.loginWithCode({ email, code: '12345' }), status(400));
    const wrong = code === '000000' ? '000001' : '000000';
    await assert.rejects(cluster.http.loginWithCode({ email, code: wrong }), status(401));
    const session = await cluster.http.loginWithCode({ email, code, device_id: 'mail-device' });
    assert.equal(session.user.email, email.toLowerCase());
    assert.match(session.user.username, /^[A-Za-z0-9_.-]{3,32}$/);
    assert.equal(session.device_id, 'mail-device');
    const s = await ImSocket.connect(cluster.http.wsUrl(), session.token);
    assert.ok((await s.request('ping')).ts > 0);
    s.terminate();
    await assert.rejects(cluster.http.loginWithCode({ email, code }), status(401));
  });

  test('email codes: too many wrong codes exhaust the code', async () => {
    const email = `tries${Date.now().toString(36)}@example.org`;
    await cluster.http.requestCode(email);
    const code = /(\d{6})/.exec((await waitForMail(mailDir, email)).text)![1]!;
    const wrong = code === '999999' ? '999998' : '999999';
    for (let i = 0; i < 3; i++) await assert.rejects(cluster.http.loginWithCode({ email, code: wrong }), status(401));
    // The account throttle (3 failures here) and the code's own attempt limit both stop guessing.
    await assert.rejects(cluster.http.loginWithCode({ email, code }), status(429, 'rate_limited'));
  });

  test('too many failures from one address: 429 whichever account', async () => {
    // Each account fails once; the address (8 allowed here, earlier tests used some) runs out.
    const outcomes: number[] = [];
    for (let i = 0; i < 9; i++) {
      outcomes.push(await cluster.http.login({ username: `ghost${i}x${Date.now()}`, password: 'wrong password' }).then(() => 200, (e: ImError) => e.status ?? 0));
    }
    assert.equal(outcomes.at(-1), 429, `outcomes: ${outcomes}`);
    assert.ok(outcomes.every((c) => c === 401 || c === 429));
    await assert.rejects(cluster.http.login({ username: `ghostz${Date.now()}`, password: 'wrong password' }), status(429, 'rate_limited'));
  });
});
