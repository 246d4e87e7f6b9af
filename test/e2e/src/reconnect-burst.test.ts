import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ImError, ImSocket } from '@im/client';
import type { Notice } from '@im/protocol';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from './cluster.js';

/**
 * Sockets that arrive together are checked and announced together (one session check and
 * one friends lookup per turn, not per socket): each still gets its own answer.
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

  test('live sessions open, revoked ones are refused with 401, and only the live ones are announced to friends', async () => {
    const revoked = friends.slice(0, 4);
    const live = friends.slice(4);
    for (const f of revoked) await cluster.http.logout(f.session.token);
    const seen = new Set<string>();
    const allLive = new Promise<void>((resolve) => {
      w.on('notice', (notice: Notice) => {
        const n = notice as Notice & { user_id: string; online: boolean };
        if (n.type !== 'presence' || !n.online) return;
        seen.add(n.user_id);
        if (live.every((f) => seen.has(f.userId))) resolve();
      });
    });
    // Together, in both orders mixed, so that live and revoked sessions share a check.
    const attempts = await Promise.allSettled(friends.map((f, i) => (i % 2 === 0 ? f.connect() : f.connect({ useHeader: true }))));
    attempts.forEach((a, i) => {
      if (i < 4) assert.equal(a.status === 'rejected' && (a.reason as ImError).status, 401, `revoked ${i}`);
      else assert.equal(a.status, 'fulfilled', `live ${i}`);
    });
    await allLive;
    for (const f of revoked) assert.equal(seen.has(f.userId), false);
    const sockets = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
    for (const s of sockets) assert.ok((await s.request('ping')).ts > 0);
    for (const s of sockets) s.terminate();
  });
});
