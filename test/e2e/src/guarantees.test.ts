import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ImError, ImSocket } from '@im/client';
import { encode } from '@im/codec';
import type { Ack } from '@im/protocol';
import { newUser, startCluster, type Cluster, type TestUser } from './cluster.js';

/**
 * The promises of the event store under concurrency and failure: gap-free seq, exactly
 * once per cid, and no ack for what was not committed.
 */
describe('ordering, idempotency and durability', () => {
  let cluster: Cluster;
  let owner: TestUser;
  let members: TestUser[];
  let group: string;

  before(async () => {
    cluster = await startCluster({ gateways: 2, relays: 2, gatewayEnv: { EVENT_RATE: '0' } });
    owner = await newUser(cluster, 'owner');
    members = await Promise.all(Array.from({ length: 20 }, (_, i) => newUser(cluster, `m${i}`)));
    const s = await owner.connect();
    group = (await s.request('create_group', { name: 'crowd', member_ids: members.map((m) => m.userId) })).conversation_id;
    s.terminate();
  });

  after(async () => {
    await cluster?.stop();
  });

  const connectTo = (user: TestUser, gateway: number) => ImSocket.connect(cluster.https[gateway]!.wsUrl(), user.session.token);

  test('20 clients through two gateways and two relays: seq 1..N, no gap, no repeat', async () => {
    const sockets = await Promise.all(members.map((m, i) => connectTo(m, i % 2)));
    const perClient = 15;
    const acks: Ack[] = [];
    await Promise.all(
      sockets.map(async (s, i) => {
        // Each client pipelines its sends without waiting, as a busy client does.
        const sends = Array.from({ length: perClient }, (_, n) => s.sendText(group, `c${i} m${n}`, { cid: `conc-${i}-${n}` }));
        acks.push(...(await Promise.all(sends)));
      }),
    );
    const total = members.length * perClient;
    assert.deepEqual(acks.map((a) => a.seq).sort((x, y) => x - y), Array.from({ length: total }, (_, i) => i + 1));
    const { events, max_seq } = await sockets[0]!.request('sync', { conversation_id: group, after_seq: 0, limit: 200 });
    const rest = await sockets[0]!.request('sync', { conversation_id: group, after_seq: 200, limit: 200 });
    const all = [...events, ...rest.events];
    assert.equal(max_seq, total);
    assert.deepEqual(all.map((e) => e.seq), Array.from({ length: total }, (_, i) => i + 1));
    // Each client's messages are stored in the order it sent them.
    for (let i = 0; i < members.length; i++) {
      const mine = all.filter((e) => e.sender_id === members[i]!.userId).map((e) => e.content);
      assert.deepEqual(mine, Array.from({ length: perClient }, (_, n) => `c${i} m${n}`));
    }
    for (const s of sockets) s.terminate();
  });

  test('a resend after a dropped socket, before the ack arrived, is stored once', async () => {
    const user = members[0]!;
    const s1 = await connectTo(user, 0);
    const frame = encode({ cmd: 'event', id: 1, data: { conversation_id: group, kind: 1, content: 'lost ack?', cid: 'drop-1' } });
    s1.sendRaw(frame);
    s1.terminate();
    const s2 = await connectTo(user, 1);
    const ack = await s2.sendText(group, 'lost ack?', { cid: 'drop-1' });
    const again = await s2.sendText(group, 'lost ack?', { cid: 'drop-1' });
    assert.equal(again.duplicate, true);
    assert.equal(again.event_id, ack.event_id);
    const { events } = await s2.request('sync', { conversation_id: group, limit: 200 });
    assert.equal(events.filter((e) => e.cid === 'drop-1').length, 1);
    s2.terminate();
  });

  test('relay killed mid-traffic: every acked event is stored once; resends fill the rest; seq stays gap-free', async () => {
    const senders = await Promise.all(members.slice(0, 6).map((m) => connectTo(m, 0)));
    const acked = new Map<string, Ack>();
    const pending = new Set<string>();
    const start = (await senders[0]!.request('sync', { conversation_id: group, limit: 1 })).max_seq;
    let killed = false;
    const sendAll = async (s: ImSocket, i: number) => {
      for (let n = 0; n < 40; n++) {
        const id = `kill-${i}-${n}`;
        pending.add(id);
        try {
          acked.set(id, await s.sendText(group, id, { cid: id }));
          pending.delete(id);
        } catch (err) {
          assert.ok(err instanceof ImError && ['unavailable', 'internal'].includes(err.code), `unexpected ${String(err)}`);
        }
        if (!killed && acked.size >= 60) {
          killed = true;
          await cluster.relays[0]!.stop('SIGKILL');
          setTimeout(() => void cluster.restartRelay(0), 300);
        }
      }
    };
    await Promise.all(senders.map(sendAll));
    assert.ok(killed);
    // Retry every event that was not acked, with the same cid, until each is acked.
    const deadline = Date.now() + 30_000;
    while (pending.size > 0 && Date.now() < deadline) {
      for (const id of [...pending]) {
        const i = Number(id.split('-')[1]);
        try {
          acked.set(id, await senders[i]!.sendText(group, id, { cid: id }));
          pending.delete(id);
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
    assert.equal(pending.size, 0);
    const seen = new Map<string, number>();
    let after = start;
    for (;;) {
      const page = await senders[0]!.request('sync', { conversation_id: group, after_seq: after, limit: 200 });
      for (const e of page.events) seen.set(e.cid, (seen.get(e.cid) ?? 0) + 1);
      if (page.events.length > 0) {
        assert.deepEqual(page.events.map((e) => e.seq), Array.from({ length: page.events.length }, (_, k) => after + k + 1));
        after = page.events.at(-1)!.seq;
      }
      if (!page.has_more) break;
    }
    assert.equal(after, start + 240);
    for (const [id, ack] of acked) {
      assert.equal(seen.get(id), 1, `${id} stored ${seen.get(id) ?? 0} times`);
      assert.ok(ack.seq > start);
    }
    for (const s of senders) s.terminate();
  });
});
