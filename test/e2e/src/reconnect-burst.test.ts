import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ImError, ImSocket } from '@im/client';
import type { Notice } from '@im/protocol';
import { until } from './client-helpers.js';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from './cluster.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How many times seaking served a method, from its /metrics. */
async function served(cluster: Cluster, method: string): Promise<number> {
  const text = await (await fetch(`${cluster.seaking.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('rpc_server_duration_seconds_count{') && l.includes(`method="${method}"`))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/**
 * Sockets that arrive together are checked and announced together (one session check and
 * one friends lookup for many sockets, not one each): each still gets its own answer.
 */
describe('a burst of sockets: sessions checked and presence announced together', () => {
  let cluster: Cluster;
  let watcher: TestUser;
  let w: ImSocket;
  let friends: TestUser[];

  before(async () => {
    cluster = await startCluster({});
    watcher = await newUser(cluster, 'watch');
    w = await watcher.connect();
    friends = await Promise.all(Array.from({ length: 12 }, (_, i) => newUser(cluster, `burst${i}`)));
    for (const f of friends) {
      const s = await f.connect();
      await befriend(s, w, watcher.userId);
      await s.close();
    }
  });

  after(async () => {
    w?.terminate();
    await cluster?.stop();
  });

  test('live sessions open, revoked ones are refused with 401, only the live ones are announced, in a few calls', async () => {
    const revoked = friends.slice(0, 4);
    const live = friends.slice(4);
    for (const f of revoked) await cluster.http.logout(f.session.token);
    // Every friend's earlier socket is gone from the gateway's view, so each new one is a first.
    for (let i = 0; ; i++) {
      const { presence } = await w.request('get_presence', { user_ids: friends.map((f) => f.userId) });
      if (presence.every((p) => !p.online)) break;
      assert.ok(i < 100, 'the friends to be offline');
      await sleep(50);
    }
    const seen = new Set<string>();
    w.on('notice', (notice: Notice) => {
      const n = notice as Notice & { user_id: string; online: boolean };
      if (n.type === 'presence' && n.online) seen.add(n.user_id);
    });
    const checksBefore = await served(cluster, 'seaking.checkSessions');
    const lookupsBefore = await served(cluster, 'seaking.getFriendIds');
    // Together, over the query string and the header, so that live and revoked sessions share a check.
    const attempts = await Promise.allSettled(friends.map((f, i) => (i % 2 === 0 ? f.connect() : f.connect({ useHeader: true }))));
    attempts.forEach((a, i) => {
      if (i < 4) assert.equal(a.status === 'rejected' && (a.reason as ImError).status, 401, `revoked ${i}`);
      else assert.equal(a.status, 'fulfilled', `live ${i}`);
    });
    await until(() => live.every((f) => seen.has(f.userId)), 'online notices of the live friends', 10_000);
    // Notices of the refused would have come with the others.
    await sleep(200);
    for (const f of revoked) assert.equal(seen.has(f.userId), false, `no notice for revoked ${f.username}`);
    // Twelve sockets, far fewer calls (a periodic session re-check may add one).
    const checks = (await served(cluster, 'seaking.checkSessions')) - checksBefore;
    const lookups = (await served(cluster, 'seaking.getFriendIds')) - lookupsBefore;
    assert.ok(checks >= 1 && checks <= 6, `session checks: ${checks}`);
    assert.ok(lookups >= 1 && lookups <= 4, `friends lookups: ${lookups}`);
    const sockets = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
    for (const s of sockets) assert.ok((await s.request('ping')).ts > 0);
    for (const s of sockets) s.terminate();
  });
});
