import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ImError, ImSocket, Kind } from '@im/client';
import { startRedisCluster, type RedisCluster } from '@im/devkit';
import type { ImEvent, Notice } from '@im/protocol';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from './cluster.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Two gateways, two relays, one Redis (a server, or a Redis Cluster of 3 masters and 3
 * replicas): users on either see each other in real time.
 */
for (const over of ['Redis', 'a Redis Cluster'] as const) describe(`scale-out: two gateways through ${over}`, () => {
  let redis: RedisCluster | undefined;
  let cluster: Cluster;
  let alice: TestUser, bob: TestUser, carol: TestUser;
  let a: ImSocket, b: ImSocket, c: ImSocket;
  let conv: string;

  const on = (user: TestUser, gateway: number) => ImSocket.connect(cluster.https[gateway]!.wsUrl(), user.session.token);

  before(async () => {
    if (over === 'a Redis Cluster') redis = await startRedisCluster();
    cluster = await startCluster({ gateways: 2, relays: 2, redis: redis?.url ?? true, gatewayEnv: { MAX_CONN_PER_USER: '2', PRESENCE_HEARTBEAT: '1', PRESENCE_TTL: '4' } });
    [alice, bob, carol] = (await Promise.all([newUser(cluster, 'alice'), newUser(cluster, 'bob'), newUser(cluster, 'carol')])) as [TestUser, TestUser, TestUser];
    a = await on(alice, 0);
    b = await on(bob, 1);
    c = await on(carol, 1);
  });

  after(async () => {
    for (const s of [a, b, c]) s?.terminate();
    await cluster?.stop();
    await redis?.stop();
  });

  test('notices and events cross gateways both ways', async () => {
    const requested = b.next<Notice>('notice', (n) => n.type === 'friend_request');
    const accepted = a.next<Notice>('notice', (n) => n.type === 'friend_accepted');
    conv = await befriend(a, b, bob.userId);
    await requested;
    await accepted;
    const toBob = b.next<ImEvent>('event');
    await a.sendText(conv, 'from gateway 1');
    assert.equal((await toBob).content, 'from gateway 1');
    const toAlice = a.next<ImEvent>('event');
    await b.sendText(conv, 'from gateway 2');
    assert.equal((await toAlice).content, 'from gateway 2');
  });

  test('group events fan out to members on both gateways; typing reaches subscribers across', async () => {
    const group = (await c.request('create_group', { name: 'across', member_ids: [alice.userId, bob.userId] })).conversation_id;
    const toA = a.next<ImEvent>('event', (e) => e.conversation_id === group);
    const toB = b.next<ImEvent>('event', (e) => e.conversation_id === group);
    await c.sendText(group, 'hello both');
    assert.equal((await toA).content, 'hello both');
    assert.equal((await toB).content, 'hello both');
    await a.request('subscribe', { conversation_id: group });
    const typing = a.next<ImEvent>('event', (e) => e.kind === Kind.TYPING);
    await c.request('event', { conversation_id: group, kind: Kind.TYPING, content: '' });
    assert.equal((await typing).sender_id, carol.userId);
  });

  test('a membership change on one gateway takes effect on the other at once', async () => {
    const group = await c.request('create_group', { name: 'cache', member_ids: [bob.userId] });
    // Gateway 2 (bob's) caches the membership by using it.
    await b.sendText(group.conversation_id, 'cached');
    const removal = b.next<Notice>('notice', (n) => n.type === 'group_removed');
    const viaOther = await on(carol, 0);
    await viaOther.request('remove_group_member', { group_id: group.group.group_id, user_id: bob.userId });
    await removal;
    await assert.rejects(b.sendText(group.conversation_id, 'still?'), (e: ImError) => e.code === 'forbidden');
    viaOther.terminate();
  });

  test('the per-user socket limit counts both gateways; the oldest closes with 4002', async () => {
    const user = await newUser(cluster, 'many');
    const first = await on(user, 0);
    const second = await on(user, 1);
    const third = await on(user, 0);
    assert.equal((await first.closed).code, 4002);
    assert.ok((await second.request('ping')).ts > 0);
    assert.ok((await third.request('ping')).ts > 0);
    second.terminate();
    third.terminate();
  });

  test('presence across gateways: notices to friends, get_presence for friends and co-members only', async () => {
    const dave = await newUser(cluster, 'dave');
    const d1 = await on(dave, 0);
    await befriend(d1, b, bob.userId);
    d1.terminate();
    await sleep(300);
    const online = b.next<Notice & { user_id: string; online: boolean }>('notice', (n) => n.type === 'presence' && n.user_id === dave.userId);
    const d2 = await on(dave, 0);
    assert.equal((await online).online, true);
    const seenByBob = await b.request('get_presence', { user_ids: [dave.userId, carol.userId, 'u-nobody'] });
    // Carol shares a group with bob; dave is a friend; nobody is left out.
    assert.deepEqual(seenByBob.presence.map((p) => [p.user_id, p.online]), [[dave.userId, true], [carol.userId, true]]);
    const strangers = await d2.request('get_presence', { user_ids: [carol.userId] });
    assert.deepEqual(strangers.presence, []);
    const offline = b.next<Notice & { online: boolean; last_seen: number }>('notice', (n) => n.type === 'presence' && n.user_id === dave.userId && !n.online);
    await d2.close();
    const notice = await offline;
    assert.ok(notice.last_seen > 0);
    const after = (await b.request('get_presence', { user_ids: [dave.userId] })).presence[0]!;
    assert.deepEqual([after.online, after.last_seen! >= notice.last_seen - 1000], [false, true]);
    await assert.rejects(b.request('get_presence', { user_ids: Array.from({ length: 201 }, (_, i) => `u${i}`) }), (e: ImError) => e.code === 'too_large');
  });

  test('logout on one gateway closes the session\'s sockets on the other with 4003', async () => {
    const session = await cluster.https[0]!.login({ username: carol.username, password: carol.password, device_id: 'tablet' });
    const s = await ImSocket.connect(cluster.https[1]!.wsUrl(), session.token);
    await cluster.https[0]!.logout(session.token);
    assert.equal((await s.closed).code, 4003);
  });

  test('/api/stats counts the whole cluster', async () => {
    const stats = await cluster.https[1]!.stats();
    assert.equal(stats.gateways, 2);
    assert.ok(stats.connections >= 3, JSON.stringify(stats));
    assert.ok(stats.online_users >= 3, JSON.stringify(stats));
    const health = await fetch(`${cluster.gateways[0]!.url}/health`);
    assert.deepEqual(((await health.json()) as { checks: Record<string, string> }).checks, { seaking: 'ok', relay: 'ok', redis: 'ok' });
  });
});
