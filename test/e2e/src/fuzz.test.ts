import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { Encoder } from '@msgpack/msgpack';
import type { ImSocket } from '@im/client';
import { COMMAND_NAMES } from '@im/protocol';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from './cluster.js';

const FRAMES = Number(process.env.FUZZ_FRAMES ?? 3000);
const encoder = new Encoder({ useBigInt64: true });

/** Random frames of every shape: raw bytes, any MessagePack value, real commands with junk data. */
function frames(conversationId: string, seed: number): Uint8Array[] {
  const junk = fc.anything({ maxDepth: 5, withNullPrototype: true, withObjectString: true, withTypedArray: true, withBigInt: true });
  const shaped = fc.oneof(
    fc.uint8Array({ maxLength: 1024 }).map((b) => ({ raw: b })),
    junk.map((v) => ({ value: v })),
    fc.record({ cmd: fc.constantFrom(...COMMAND_NAMES), id: fc.integer({ min: 1, max: 0xffffffff }), data: junk }).map((v) => ({ value: v })),
    fc
      .record({
        kind: fc.constantFrom(1, 3, 5, 7, 10, 11, 12, 13, 999),
        content: fc.string({ maxLength: 200 }),
        tags: fc.array(fc.array(fc.string({ maxLength: 80 }), { maxLength: 5 }), { maxLength: 10 }),
        cid: fc.string({ maxLength: 70 }),
      })
      .map((d) => ({ value: { cmd: 'event', id: 1, data: { conversation_id: conversationId, ...d } } })),
  );
  return fc.sample(shaped, { numRuns: FRAMES, seed }).flatMap((f) => {
    if ('raw' in f) return [f.raw];
    try {
      return [encoder.encode(f.value)];
    } catch {
      return [];
    }
  });
}

/** Random frames against a real gateway: it answers or closes, stays up, and nobody else notices. */
describe('fuzz: random frames against a running gateway', () => {
  let cluster: Cluster;
  let alice: TestUser, bob: TestUser;
  let bystander: ImSocket;
  let conv: string;

  before(async () => {
    cluster = await startCluster({ gatewayEnv: { EVENT_RATE: '0', COMMAND_RATE: '0' } });
    [alice, bob] = (await Promise.all([newUser(cluster, 'alice'), newUser(cluster, 'bob')])) as [TestUser, TestUser];
    const a = await alice.connect();
    bystander = await bob.connect();
    conv = await befriend(a, bystander, bob.userId);
    a.terminate();
  });

  after(async () => {
    bystander?.terminate();
    await cluster?.stop();
  });

  test(`${FRAMES} random frames: no crash, no internal error, the bystander unaffected`, async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
    const all = frames(conv, seed);
    let socket = await alice.connect();
    let reconnects = 0;
    for (let i = 0; i < all.length; i++) {
      if (!socket.ws || socket.ws.readyState !== 1) {
        // Too many bad frames close a socket (1008): a fresh one carries on.
        socket = await alice.connect();
        reconnects++;
      }
      socket.sendRaw(all[i]!);
      if (i % 250 === 249) {
        await socket.request('ping').catch(() => undefined);
        const ack = await bystander.sendText(conv, `still here ${i}`);
        assert.ok(ack.seq > 0, `the bystander is served after frame ${i} (seed ${seed})`);
      }
    }
    socket.terminate();
    assert.equal(cluster.gateway.child.exitCode, null, `the gateway is up (seed ${seed})`);
    assert.ok((await bystander.request('ping')).ts > 0);
    const internal = cluster.gateway
      .output()
      .split('\n')
      .filter((l) => /"level":"error"/.test(l));
    assert.deepEqual(internal, [], `no errors logged by the gateway (seed ${seed})`);
    assert.ok(reconnects > 0, 'the bad-frame limit was reached at least once');
  });
});
