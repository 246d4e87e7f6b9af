import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ImSocket } from '@im/client';
import type { Moment, MomentComment, Notice } from '@im/protocol';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from './cluster.js';
import { post } from './moments-helpers.js';

type MomentNotice = Notice & { moment_id: string; user_id: string; comment?: MomentComment };

/**
 * `moment_liked` and `moment_commented` reach every socket of the author on both gateways of
 * a Redis cluster, and nobody hears of their own actions or of an unlike.
 */
describe('moments: notices across gateways', () => {
  let cluster: Cluster;
  let alice: TestUser, bob: TestUser, carol: TestUser;
  /** Alice on gateway 1 and on gateway 2; bob on gateway 2; carol on gateway 1. */
  let a1: ImSocket, a2: ImSocket, b: ImSocket, c: ImSocket;
  const heard = new Map<ImSocket, MomentNotice[]>();
  let moment: Moment;

  const connectTo = (user: TestUser, gateway: number) => ImSocket.connect(cluster.https[gateway]!.wsUrl(), user.session.token);

  before(async () => {
    cluster = await startCluster({ gateways: 2, redis: true });
    [alice, bob, carol] = await Promise.all([newUser(cluster, 'alice'), newUser(cluster, 'bob'), newUser(cluster, 'carol')]);
    [a1, a2, b, c] = await Promise.all([connectTo(alice, 0), connectTo(alice, 1), connectTo(bob, 1), connectTo(carol, 0)]);
    await befriend(a1, b, bob.userId);
    await befriend(a1, c, carol.userId);
    for (const s of [a1, a2, b, c]) {
      heard.set(s, []);
      s.on('notice', (n) => {
        if (n.type.startsWith('moment_')) heard.get(s)!.push(n as MomentNotice);
      });
    }
    moment = await post(a1, 'friends');
  });

  after(async () => {
    for (const s of [a1, a2, b, c]) s?.terminate();
    await cluster?.stop();
  });

  /** Waits until both of alice's sockets heard `count` moment notices, then returns what each heard. */
  async function aliceHears(count: number): Promise<MomentNotice[][]> {
    for (const s of [a1, a2]) {
      while (heard.get(s)!.length < count) await s.next('notice', (n: Notice) => n.type.startsWith('moment_'));
    }
    return [heard.get(a1)!, heard.get(a2)!];
  }

  test('a like reaches the author on both gateways', async () => {
    await b.request('like_moment', { moment_id: moment.moment_id });
    for (const list of await aliceHears(1)) {
      assert.deepEqual(list, [{ type: 'moment_liked', moment_id: moment.moment_id, user_id: bob.userId }]);
    }
  });

  test('a repeated like and an unlike tell nobody', async () => {
    await b.request('like_moment', { moment_id: moment.moment_id });
    await b.request('unlike_moment', { moment_id: moment.moment_id });
    await b.request('unlike_moment', { moment_id: moment.moment_id });
    // From the same gateway, in the same order, a comment that is heard: nothing came before it.
    const { comment } = await b.request('comment_moment', { moment_id: moment.moment_id, content: 'from bob' });
    for (const list of await aliceHears(2)) {
      assert.deepEqual(list.slice(1), [{ type: 'moment_commented', moment_id: moment.moment_id, user_id: bob.userId, comment }]);
    }
  });

  test('a reply is a comment to the author too; the one replied to is not told', async () => {
    const first = heard.get(a1)![1]!.comment!;
    const { comment } = await c.request('comment_moment', { moment_id: moment.moment_id, content: 'from carol', reply_to_comment_id: first.comment_id });
    assert.equal(comment.reply_to_user_id, bob.userId);
    for (const list of await aliceHears(3)) assert.deepEqual(list[2], { type: 'moment_commented', moment_id: moment.moment_id, user_id: carol.userId, comment });
    assert.deepEqual(heard.get(b), []);
  });

  test("the author's own likes and comments tell nobody", async () => {
    await a1.request('like_moment', { moment_id: moment.moment_id });
    await a1.request('comment_moment', { moment_id: moment.moment_id, content: 'my own' });
    await a2.request('comment_moment', { moment_id: moment.moment_id, content: 'from my other device' });
    // Carol, on the first gateway, likes; and bob, on the second: the next notices alice hears are theirs.
    await c.request('like_moment', { moment_id: moment.moment_id });
    await aliceHears(4);
    await b.request('like_moment', { moment_id: moment.moment_id });
    for (const list of await aliceHears(5)) {
      assert.deepEqual(
        list.slice(3).map((n) => [n.type, n.user_id]),
        [
          ['moment_liked', carol.userId],
          ['moment_liked', bob.userId],
        ],
      );
    }
    assert.deepEqual(heard.get(b), []);
    assert.deepEqual(heard.get(c), []);
  });
});
