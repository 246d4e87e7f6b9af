import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { ImSocket, type ImError } from '@im/client';
import { freePort, startEmbeddedPostgres, type PostgresServer } from '@im/devkit';
import type { Ack, ImEvent } from '@im/protocol';
import { openClient, range, sleep, until, type Recorded } from './client-helpers.js';
import { newUser, startCluster, type Cluster, type TestUser } from './cluster.js';

/** A conversation under load: who sends, who must receive, what was acked. */
interface Lane {
  conversationId: string;
  sender: Recorded;
  receivers: Recorded[];
  sends: Array<Promise<Ack>>;
}

/**
 * Faults while clients send: kill -9 of the relay, of seaking and of a gateway, a restart of
 * Redis and of PostgreSQL. Each case must end with nothing acked lost, nothing doubled, no
 * gap in any conversation's seqs, `unavailable` (never `internal`) meanwhile, and recovery
 * without restarting anything else.
 */
// A bound on the whole suite: a service that dies without its supervisor would otherwise leave
// clients resending forever, and the run hanging instead of failing.
describe('faults under load', { timeout: 300_000 }, () => {
  let pg: PostgresServer;
  let cluster: Cluster;
  let redisPort: number;
  let redis: ChildProcess | undefined;
  const lanes: Lane[] = [];
  const clients: Recorded[] = [];
  let sending = true;
  let loop: Promise<void> | undefined;
  let probeUser: TestUser;

  const startRedis = async () => {
    redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await sleep(300);
  };

  before(async () => {
    pg = await startEmbeddedPostgres();
    redisPort = await freePort();
    await startRedis();
    cluster = await startCluster({
      gateways: 2,
      postgres: pg,
      redis: `redis://127.0.0.1:${redisPort}`,
      gatewayEnv: { EVENT_RATE: '0', PRESENCE_HEARTBEAT: '1', PRESENCE_TTL: '3', SHUTDOWN_GRACE: '2' },
    });
    const users = await Promise.all(['ann', 'ben', 'cat', 'dan', 'eve', 'fay'].map((n) => newUser(cluster, n)));
    probeUser = await newUser(cluster, 'probe');
    for (const u of users) clients.push(await openClient(cluster, u));
    // Two single conversations and a group, each with one sender; everyone else listens.
    const pairs: Array<[number, number]> = [
      [0, 1],
      [2, 3],
    ];
    for (const [s, r] of pairs) {
      const { request_id } = await clients[s]!.client.sendFriendRequest(users[r]!.userId);
      const { conversation_id } = await clients[r]!.client.acceptFriendRequest(request_id);
      lanes.push({ conversationId: conversation_id, sender: clients[s]!, receivers: [clients[r]!], sends: [] });
    }
    const { conversation_id: group } = await clients[4]!.client.createGroup('faults', [users[5]!.userId, users[0]!.userId]);
    lanes.push({ conversationId: group, sender: clients[4]!, receivers: [clients[5]!, clients[0]!], sends: [] });
    loop = (async () => {
      let n = 0;
      while (sending) {
        n++;
        for (const lane of lanes) lane.sends.push(lane.sender.client.sendText(lane.conversationId, `load ${n}`));
        await sleep(40);
      }
    })();
  });

  after(async () => {
    sending = false;
    await loop;
    await Promise.all(clients.map((c) => c.client.close()));
    await cluster?.stop();
    redis?.kill('SIGKILL');
    await pg?.stop();
  });

  /** Traffic flows again: each lane gets a fresh message through within the deadline. */
  async function flowing(): Promise<void> {
    await Promise.all(
      lanes.map(async (lane) => {
        const ack = await lane.sender.client.sendText(lane.conversationId, `probe ${Date.now()}`);
        lane.sends.push(Promise.resolve(ack));
        await until(() => lane.receivers.every((r) => r.seqs(lane.conversationId).includes(ack.seq)), `delivery in ${lane.conversationId}`);
      }),
    );
  }

  /** A command through a raw socket on a live gateway: its answer while a dependency is away. */
  async function probe(cmd: () => (s: ImSocket) => Promise<unknown>): Promise<string> {
    const s = await ImSocket.connect(cluster.https[1]!.wsUrl(), probeUser.session.token).catch((e: ImError) => e);
    if (s instanceof Error) return `upgrade:${(s as ImError).code}`;
    try {
      await cmd()(s);
      return 'ok';
    } catch (err) {
      return (err as ImError).code;
    } finally {
      s.terminate();
    }
  }

  test('kill -9 of the relay while clients send', async () => {
    await sleep(500);
    await cluster.relay.stop('SIGKILL');
    await sleep(700);
    await cluster.restartRelay(0);
    await flowing();
  });

  test('kill -9 of seaking while clients send: its commands answer unavailable meanwhile', async () => {
    await cluster.seaking.stop('SIGKILL');
    await sleep(300);
    // A socket opened before the outage keeps working for sends; seaking's commands are unavailable.
    assert.equal(await probe(() => (s) => s.request('get_friends')), 'upgrade:unavailable');
    await cluster.restartSeaking();
    await flowing();
  });

  test('kill -9 of a gateway while clients send: its clients move to the other one', async () => {
    await cluster.gateways[0]!.stop('SIGKILL');
    await sleep(1000);
    await flowing();
    await cluster.restartGateway(0);
  });

  test('Redis restarted while clients send', async () => {
    redis!.kill('SIGKILL');
    await sleep(700);
    await startRedis();
    await flowing();
  });

  test('PostgreSQL restarted while clients send: unavailable meanwhile, never internal', async () => {
    const s = await ImSocket.connect(cluster.https[1]!.wsUrl(), probeUser.session.token);
    await pg.pause!();
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      outcomes.push(await s.request('get_friends').then(() => 'ok', (e: ImError) => e.code));
      outcomes.push(await s.sendText(lanes[0]!.conversationId, 'during the outage').then(() => 'ok', (e: ImError) => e.code));
      await sleep(100);
    }
    assert.ok(outcomes.every((o) => o === 'unavailable' || o === 'forbidden'), `answers while PostgreSQL is down: ${outcomes}`);
    assert.ok(outcomes.includes('unavailable'));
    await pg.resume!();
    // The services reconnect by themselves.
    let friends = 'pending';
    for (let i = 0; i < 100 && friends !== 'ok'; i++) {
      friends = await s.request('get_friends').then(() => 'ok', (e: ImError) => e.code);
      if (friends !== 'ok') await sleep(200);
    }
    assert.equal(friends, 'ok');
    s.terminate();
    await flowing();
  });

  test('in the end: every send acked once, no seq gap, each receiver saw exactly 1..N', async () => {
    sending = false;
    await loop;
    for (const lane of lanes) {
      const acks = await Promise.all(lane.sends);
      const seen = new Map<string, number>();
      const reader = await ImSocket.connect(cluster.https[1]!.wsUrl(), lane.receivers[0]!.client.currentSession.token);
      const stored: ImEvent[] = [];
      let afterSeq = 0;
      for (;;) {
        const page = await reader.request('sync', { conversation_id: lane.conversationId, after_seq: afterSeq, limit: 200 });
        stored.push(...page.events);
        if (!page.has_more) break;
        afterSeq = page.events.at(-1)!.seq;
      }
      reader.terminate();
      for (const e of stored) seen.set(e.cid, (seen.get(e.cid) ?? 0) + 1);
      const maxSeq = stored.at(-1)!.seq;
      assert.deepEqual(stored.map((e) => e.seq), range(maxSeq), 'no gap, no repeat');
      assert.deepEqual([...seen.values()].filter((n) => n !== 1), [], 'no event stored twice');
      const ackedCids = new Set(acks.map((a) => a.cid));
      for (const cid of ackedCids) assert.equal(seen.get(cid), 1, `acked ${cid} stored once`);
      assert.equal(stored.length, ackedCids.size, 'nothing stored that was not acked');
      for (const r of lane.receivers) {
        await until(() => r.seqs(lane.conversationId).length >= maxSeq, `${maxSeq} events delivered`);
        assert.deepEqual(r.seqs(lane.conversationId), range(maxSeq), 'each receiver: exactly 1..N, in order');
      }
    }
    for (const g of cluster.gateways) {
      const errors = g.output().split('\n').filter((l) => /"level":"error"/.test(l));
      assert.deepEqual(errors, [], 'no internal errors in the gateways');
    }
  });
});
