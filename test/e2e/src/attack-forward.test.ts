import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ImSocket, Kind, type ImError } from '@im/client';
import { encode } from '@im/codec';
import type { ImEvent } from '@im/protocol';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from './cluster.js';

const code = (expected: string, field?: string) => (e: ImError) => e.code === expected && (field === undefined || e.field === field);
let n = 0;
const cid = () => `fa-${Date.now()}-${++n}`;

/** A message as large as one frame allows: 16 KiB of text and ~45 KB of tags. */
function bigMessage(label: string): { content: string; tags: string[][] } {
  const str = (i: number) => `${label}${i}`.padEnd(1000, 'x');
  const tags = Array.from({ length: 3 }, (_, t) => ['pad', ...Array.from({ length: 15 }, (_, i) => str(t * 15 + i))]);
  return { content: label.padEnd(16384, 'y'), tags };
}

/**
 * Forward amplification: a small frame must not make the relay store (and every gateway
 * carry) megabytes. Duplicate sources count once, forwards of forwards do not nest copies,
 * and a stored event is capped at 4 × the frame limit.
 */
describe('attack: forward amplification', () => {
  let cluster: Cluster;
  let alice: TestUser, bob: TestUser;
  let a: ImSocket, b: ImSocket;
  let conv: string;
  const big: string[] = [];

  before(async () => {
    cluster = await startCluster({ gateways: 2, redis: true, gatewayEnv: { EVENT_RATE: '0' } });
    [alice, bob] = (await Promise.all([newUser(cluster, 'alice'), newUser(cluster, 'bob')])) as [TestUser, TestUser];
    a = await ImSocket.connect(cluster.https[0]!.wsUrl(), alice.session.token);
    b = await ImSocket.connect(cluster.https[1]!.wsUrl(), bob.session.token);
    conv = await befriend(a, b, bob.userId);
    for (let i = 0; i < 5; i++) {
      const m = bigMessage(`big${i}-`);
      big.push((await a.sendEvent({ conversation_id: conv, kind: Kind.TEXT, content: m.content, tags: m.tags, cid: cid() })).event_id);
    }
  });

  after(async () => {
    a?.terminate();
    b?.terminate();
    await cluster?.stop();
  });

  const stored = async (eventId: string): Promise<ImEvent> => {
    const { events } = await b.request('sync', { conversation_id: conv, limit: 200 });
    return events.find((e) => e.id === eventId)!;
  };

  test('a source named 30 times is copied once', async () => {
    const ack = await a.sendEvent({ conversation_id: conv, kind: Kind.FORWARD, content: '', tags: Array.from({ length: 30 }, () => ['e', big[0]!]), cid: cid() });
    const fwd = await stored(ack.event_id);
    assert.equal(fwd.tags.filter((t) => t[0] === 'src').length, 1);
    assert.ok(encode(fwd).byteLength < 70_000, `stored ${encode(fwd).byteLength} bytes`);
  });

  test('forwarding a forward copies it without its own copies', async () => {
    const first = await a.sendEvent({ conversation_id: conv, kind: Kind.FORWARD, content: 'first', tags: [['e', big[0]!]], cid: cid() });
    const second = await a.sendEvent({ conversation_id: conv, kind: Kind.FORWARD, content: 'second', tags: Array.from({ length: 30 }, () => ['e', first.event_id]), cid: cid() });
    const fwd = await stored(second.event_id);
    const src = fwd.tags.filter((t) => t[0] === 'src');
    assert.equal(src.length, 1);
    assert.equal(src[0]![5], 'first');
    // The copy carries the source's own tags (its "e" tag) but none of its "src" copies.
    assert.deepEqual(JSON.parse(src[0]![6]!), [['e', big[0]!]]);
    assert.ok(encode(fwd).byteLength < 4000, `stored ${encode(fwd).byteLength} bytes`);
  });

  test('a forward that would exceed 4 × max_frame_bytes is too_large and stores nothing', async () => {
    const before = (await b.request('sync', { conversation_id: conv, limit: 1 })).max_seq;
    await assert.rejects(
      a.sendEvent({ conversation_id: conv, kind: Kind.FORWARD, content: '', tags: big.map((id) => ['e', id]), cid: cid() }),
      code('too_large', 'tags'),
    );
    assert.equal((await b.request('sync', { conversation_id: conv, limit: 1 })).max_seq, before);
  });

  test('a forward near the limit reaches a socket on another gateway, and pushes keep crossing', async () => {
    const pushed = b.next<ImEvent>('event', (e) => e.kind === Kind.FORWARD && e.content === 'near the limit', 10_000);
    const ack = await a.sendEvent({ conversation_id: conv, kind: Kind.FORWARD, content: 'near the limit', tags: big.slice(0, 3).map((id) => ['e', id]), cid: cid() });
    const fwd = await pushed;
    assert.equal(fwd.id, ack.event_id);
    const size = encode(fwd).byteLength;
    assert.ok(size > 65536 * 2 && size <= 4 * 65536, `pushed ${size} bytes`);
    const small = b.next<ImEvent>('event', (e) => e.content === 'after the big one');
    await a.sendText(conv, 'after the big one');
    await small;
  });

  test('a client-sent src tag is bad_request in every kind', async () => {
    const target = await a.sendText(conv, 'target');
    const src = ['src', target.event_id, '1', alice.userId, '1', 'x', '[]'];
    await assert.rejects(a.sendEvent({ conversation_id: conv, kind: Kind.TEXT, content: 'x', tags: [src], cid: cid() }), code('bad_request', 'tags'));
    await assert.rejects(a.sendEvent({ conversation_id: conv, kind: Kind.REVOKE, content: '', tags: [['e', target.event_id], src], cid: cid() }), code('bad_request', 'tags'));
    await assert.rejects(a.sendEvent({ conversation_id: conv, kind: Kind.EDIT, content: 'new', tags: [['e', target.event_id], src], cid: cid() }), code('bad_request', 'tags'));
    await assert.rejects(a.sendEvent({ conversation_id: conv, kind: Kind.FORWARD, content: '', tags: [['e', target.event_id], src], cid: cid() }), code('bad_request', 'tags'));
    // Nothing happened to the target.
    assert.equal((await stored(target.event_id)).content, 'target');
  });
});
