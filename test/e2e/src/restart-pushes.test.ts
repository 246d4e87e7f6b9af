import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ImSocket, type ImError } from '@im/client';
import type { ImEvent } from '@im/protocol';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from './cluster.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(100);
  }
}

/**
 * A restart of seaking must not leave gateways acking messages they no longer push:
 * after it comes back, a message from a user on one gateway reaches a friend on another.
 */
describe('seaking killed and restarted: pushes still cross gateways', () => {
  let cluster: Cluster;
  let alice: TestUser, bob: TestUser;
  let a: ImSocket, b: ImSocket;
  let conv: string;

  before(async () => {
    cluster = await startCluster({ gateways: 2, redis: true });
    [alice, bob] = (await Promise.all([newUser(cluster, 'alice'), newUser(cluster, 'bob')])) as [TestUser, TestUser];
    a = await ImSocket.connect(cluster.https[0]!.wsUrl(), alice.session.token);
    b = await ImSocket.connect(cluster.https[1]!.wsUrl(), bob.session.token);
    conv = await befriend(a, b, bob.userId);
  });

  after(async () => {
    a?.terminate();
    b?.terminate();
    await cluster?.stop();
  });

  for (const round of [1, 2]) {
    test(`round ${round}: kill -9 seaking, wait for unavailable, restart, send`, async () => {
      const before = b.next<ImEvent>('event', (e) => e.content === `before ${round}`);
      await a.sendText(conv, `before ${round}`);
      await before;
      await cluster.seaking.stop('SIGKILL');
      for (const s of [a, b]) await until(() => s.request('get_friends').then(() => false, (e: ImError) => e.code === 'unavailable'));
      await cluster.restartSeaking();
      for (const s of [a, b]) await until(() => s.request('get_friends').then((r) => r.friends.length === 1));
      const pushed = b.next<ImEvent>('event', (e) => e.content === `after ${round}`, 5000);
      const ack = await a.sendText(conv, `after ${round}`);
      assert.equal((await pushed).seq, ack.seq);
      // And the other way round.
      const back = a.next<ImEvent>('event', (e) => e.content === `reply ${round}`, 5000);
      await b.sendText(conv, `reply ${round}`);
      await back;
    });
  }
});
