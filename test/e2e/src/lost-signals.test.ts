import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { ImSocket, type ImError } from '@im/client';
import { freePort } from '@im/devkit';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from './cluster.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(100);
  }
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, sleep(ms).then(() => Promise.reject(new Error(`${what} did not happen within ${ms} ms`)))]);
}

/**
 * Session revocations and membership changes travel between gateways as signals over Redis
 * pub/sub, which forgets what it cannot deliver. None may be lost for good: not while Redis
 * is away, not when it goes missing some other way.
 */
describe('signals survive Redis going away', () => {
  let cluster: Cluster;
  let redisPort: number;
  let redis: ChildProcess | undefined;
  let owner: TestUser, member: TestUser, roamer: TestUser;

  const startRedis = async () => {
    redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await sleep(300);
  };

  before(async () => {
    redisPort = await freePort();
    await startRedis();
    cluster = await startCluster({ gateways: 2, redis: `redis://127.0.0.1:${redisPort}`, gatewayEnv: { SESSION_RECHECK: '2' } });
    [owner, member, roamer] = (await Promise.all([newUser(cluster, 'owner'), newUser(cluster, 'member'), newUser(cluster, 'roamer')])) as [TestUser, TestUser, TestUser];
  });

  after(async () => {
    await cluster?.stop();
    redis?.kill('SIGKILL');
  });

  const on = (gateway: number, user: TestUser, token = user.session.token) => ImSocket.connect(cluster.https[gateway]!.wsUrl(), token);

  test('a logout and a removal made while Redis is away take effect on the other gateway when it returns', async () => {
    const o = await on(0, owner);
    const m = await on(1, member);
    const { group, conversation_id } = await o.request('create_group', { name: 'signals', member_ids: [member.userId] });
    // The member's gateway caches the group's members.
    await m.sendText(conversation_id, 'hello while a member');
    const session = await cluster.https[0]!.login({ username: roamer.username, password: roamer.password, device_id: 'roaming' });
    const r = await on(1, roamer, session.token);
    const roamerClosed = r.closed;

    redis!.kill('SIGKILL');
    await sleep(300);
    await cluster.https[0]!.logout(session.token);
    await o.request('remove_group_member', { group_id: group.group_id, user_id: member.userId });

    await startRedis();
    assert.equal((await within(roamerClosed, 15_000, 'the socket of the logged-out session closing')).code, 4003);
    await until(() => m.sendText(conversation_id, 'still in?').then(() => false, (e: ImError) => e.code === 'forbidden'));
    await assert.rejects(m.request('sync', { conversation_id }), (e: ImError) => e.code === 'forbidden');
    o.terminate();
    m.terminate();
  });

  test('a revocation whose signal never arrived is caught by the periodic re-check', async () => {
    const session = await cluster.https[0]!.login({ username: roamer.username, password: roamer.password, device_id: 'quiet' });
    const s = await on(1, roamer, session.token);
    // Revoked behind the gateways' backs: no signal at all.
    const db = new pg.Client({ connectionString: cluster.databases.seaking });
    await db.connect();
    await db.query('UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND device_id = $3', [roamer.userId, Date.now(), 'quiet']);
    await db.end();
    assert.equal((await within(s.closed, 15_000, 'the socket of the revoked session closing')).code, 4003);
  });

  test('friends keep talking across the gateways afterwards', async () => {
    const a = await on(0, owner);
    const b = await on(1, roamer, (await cluster.https[1]!.login({ username: roamer.username, password: roamer.password })).token);
    const conv = await befriend(a, b, roamer.userId);
    const pushed = b.next<{ content: string }>('event', (e) => e.content === 'across', 5000);
    await a.sendText(conv, 'across');
    await pushed;
    a.terminate();
    b.terminate();
  });
});
