import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ImError } from '@im/client';
import { newUser, startCluster, type Cluster, type TestUser } from './cluster.js';

interface Answer {
  status: number;
  retryAfter: string | null;
}

/** A POST to the gateway's HTTP API, optionally as if relayed by a proxy for `forwardedFor`. */
async function post(cluster: Cluster, path: string, body: unknown, forwardedFor?: string): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (forwardedFor) headers['x-forwarded-for'] = forwardedFor;
  const res = await fetch(`${cluster.gatewayUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  await res.arrayBuffer();
  return { status: res.status, retryAfter: res.headers.get('retry-after') };
}

const tally = (answers: Answer[]) => answers.reduce<Record<number, number>>((t, a) => ({ ...t, [a.status]: (t[a.status] ?? 0) + 1 }), {});

describe('attack: login throttling races and identifier hopping', () => {
  let cluster: Cluster;
  let victim: TestUser;

  before(async () => {
    cluster = await startCluster({ redis: true });
    const stamp = Date.now().toString(36);
    const username = `victim${stamp}`;
    await cluster.http.register({ username, password: 'the right password', email: `v${stamp}@example.org`, phone: `+1555${Date.now() % 10_000_000}` });
    const session = await cluster.http.login({ username, password: 'the right password' });
    victim = { session, userId: session.user.user_id, username, password: 'the right password', connect: async () => { throw new Error('unused'); } };
  });

  after(async () => {
    await cluster?.stop();
  });

  test('of 40 concurrent wrong passwords for one account, at most LOGIN_MAX_FAILURES (5) are checked', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => post(cluster, '/api/login', { username: victim.username, password: `guess ${i}` }, `10.0.${i}.1`)));
    assert.deepEqual(tally(answers), { 401: 5, 429: 35 });
    assert.ok(answers.filter((a) => a.status === 429).every((a) => Number(a.retryAfter) > 0));
    // Locked for the window, even with the right password.
    assert.equal((await post(cluster, '/api/login', { username: victim.username, password: victim.password }, '10.9.0.1')).status, 429);
  });

  test('username, email and phone of one account share one budget', async () => {
    const stamp = Date.now().toString(36);
    const email = `hop${stamp}@example.org`;
    const phone = `+1666${Date.now() % 10_000_000}`;
    const username = `hop${stamp}`;
    await cluster.http.register({ username, password: 'the right password', email, phone });
    const tries = [{ username }, { username: username.toUpperCase() }, { email }, { email: email.toUpperCase() }, { phone }, { phone }, { email }];
    const answers: Answer[] = [];
    for (const [i, who] of tries.entries()) answers.push(await post(cluster, '/api/login', { ...who, password: 'wrong password' }, `10.1.${i}.1`));
    assert.deepEqual(answers.map((a) => a.status), [401, 401, 401, 401, 401, 429, 429]);
  });
});

describe('attack: the client address behind a proxy', () => {
  let cluster: Cluster;

  before(async () => {
    cluster = await startCluster({ gatewayEnv: { LOGIN_MAX_FAILURES_PER_ADDRESS: '4', REGISTER_PER_ADDRESS: '3', CODES_PER_ADDRESS: '2' } });
  });

  after(async () => {
    await cluster?.stop();
  });

  test('failures count under the address a trusted proxy names, so one client cannot lock out everyone', async () => {
    // The gateway trusts loopback by default; these requests come through "a proxy" on loopback.
    for (let i = 0; i < 4; i++) assert.equal((await post(cluster, '/api/login', { username: `nobody${i}`, password: 'wrong password' }, '203.0.113.7')).status, 401);
    assert.equal((await post(cluster, '/api/login', { username: 'nobody9', password: 'wrong password' }, '203.0.113.7')).status, 429);
    // Another client behind the same proxy is not affected.
    assert.equal((await post(cluster, '/api/login', { username: 'nobody9', password: 'wrong password' }, '198.51.100.2')).status, 401);
  });

  test('registrations per address are limited (REGISTER_PER_ADDRESS)', async () => {
    const stamp = Date.now().toString(36);
    const answers: Answer[] = [];
    for (let i = 0; i < 4; i++) answers.push(await post(cluster, '/api/register', { username: `reg${i}${stamp}`, password: 'long enough password' }, '203.0.113.20'));
    assert.deepEqual(answers.map((a) => a.status), [201, 201, 201, 429]);
    assert.ok(Number(answers[3]!.retryAfter) > 0);
    assert.equal((await post(cluster, '/api/register', { username: `regx${stamp}`, password: 'long enough password' }, '203.0.113.21')).status, 201);
  });

  test('login codes per address are limited (CODES_PER_ADDRESS), whatever the email', async () => {
    const stamp = Date.now().toString(36);
    const answers: Answer[] = [];
    for (let i = 0; i < 3; i++) answers.push(await post(cluster, '/api/auth/code', { email: `code${i}${stamp}@example.org` }, '203.0.113.30'));
    assert.deepEqual(answers.map((a) => a.status), [204, 204, 429]);
  });
});

describe('attack: X-Forwarded-For from an untrusted peer', () => {
  let cluster: Cluster;

  before(async () => {
    // Only 192.0.2.1 may speak for clients: the test's loopback connections may not.
    cluster = await startCluster({ gatewayEnv: { LOGIN_MAX_FAILURES_PER_ADDRESS: '3', TRUSTED_PROXIES: '192.0.2.1' } });
  });

  after(async () => {
    await cluster?.stop();
  });

  test('is ignored: every request counts under the peer address', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 4; i++) answers.push(await post(cluster, '/api/login', { username: `ghost${i}`, password: 'wrong password' }, `198.51.100.${i + 1}`));
    assert.deepEqual(answers.map((a) => a.status), [401, 401, 401, 429]);
  });
});

describe('attack: a socket spamming commands', () => {
  let cluster: Cluster;
  let alice: TestUser, bob: TestUser;

  before(async () => {
    cluster = await startCluster({ gatewayEnv: { COMMAND_RATE: '2' } });
    [alice, bob] = (await Promise.all([newUser(cluster, 'alice'), newUser(cluster, 'bob')])) as [TestUser, TestUser];
  });

  after(async () => {
    await cluster?.stop();
  });

  test('commands other than event draw on a per-socket budget; heavy ones cost more; others are unaffected', async () => {
    const spammer = await alice.connect();
    const bystander = await bob.connect();
    // A budget of 10 s worth (20 units); a search costs 5.
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => spammer.request('search_users', { query: 'bob' }).then(() => 'ok', (e: ImError) => e.code)));
    assert.deepEqual(outcomes.filter((o) => o === 'ok').length, 4);
    assert.ok(outcomes.slice(4).every((o) => o === 'rate_limited'));
    assert.equal((await bystander.request('search_users', { query: 'alice' })).users.length, 1);
    spammer.terminate();
    bystander.terminate();
  });
});
