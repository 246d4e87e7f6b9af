import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { createDatabase, freePort, spawnService, testPostgres, type PostgresServer, type ServiceProcess, type TestDatabase } from '@im/devkit';
import { AppError, RelayParams, type RelayResults } from '@im/protocol';
import { RpcClient } from '@im/rpc';
import { computeEventId } from '../events/event-id.js';

const ENTRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../main.js');
const TOKEN = 'relay-test-internal-token';

/** The relay process against a real database, over its real JSON-RPC endpoint. */
describe('relay store', () => {
  let pg: PostgresServer;
  let db: TestDatabase;
  const relays: ServiceProcess[] = [];
  const clients: Array<RpcClient<typeof RelayParams, RelayResults>> = [];

  before(async () => {
    pg = await testPostgres();
    db = await createDatabase(pg, 'relay');
    // Two relay processes on one database, started together: migrations apply once.
    const ports = [await freePort(), await freePort()];
    relays.push(
      ...(await Promise.all(
        ports.map((port) =>
          spawnService({ name: 'relay', entry: ENTRY, port, env: { DATABASE_URL: db.url, INTERNAL_TOKEN: TOKEN, LOG_LEVEL: 'warn', COMMIT_BATCH_MAX: '64' } }),
        ),
      )),
    );
    for (const r of relays) clients.push(new RpcClient({ url: r.url, token: TOKEN, service: 'relay' }));
  });

  after(async () => {
    for (const c of clients) c.close();
    await Promise.all(relays.map((r) => r.stop()));
    await db?.drop();
    if (pg?.embedded) await pg.stop();
  });

  const text = (conversation_id: string, sender_id: string, cid: string, content = cid) => ({ conversation_id, sender_id, cid, content, kind: 1, tags: [] });

  test('concurrent stores into one conversation through two relays get seq 1..N, no gap, no repeat', async () => {
    const N = 400;
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) => clients[i % 2]!.call('relay.storeEvent', text('conv-hot', `user-${i % 20}`, `cid-${i}`))),
    );
    const seqs = results.map((r) => r.event.seq).sort((x, y) => x - y);
    assert.deepEqual(seqs, Array.from({ length: N }, (_, i) => i + 1));
    assert.ok(results.every((r) => !r.duplicate));
    const page = await clients[0]!.call('relay.syncEvents', { conversation_id: 'conv-hot', after_seq: 0, limit: 200 });
    assert.equal(page.max_seq, N);
    assert.equal(page.has_more, true);
    // Commit order is seq order: created_at strictly increases along seq.
    for (let i = 1; i < page.events.length; i++) assert.ok(page.events[i]!.created_at > page.events[i - 1]!.created_at);
  });

  test('the same (sender, cid) stores once, even when sent concurrently through both relays', async () => {
    const sends = Array.from({ length: 10 }, (_, i) => clients[i % 2]!.call('relay.storeEvent', text('conv-dup', 'user-d', 'same-cid', `attempt ${i}`)));
    const results = await Promise.all(sends);
    const ids = new Set(results.map((r) => r.event.id));
    assert.equal(ids.size, 1);
    assert.equal(results.filter((r) => !r.duplicate).length, 1);
    assert.deepEqual(new Set(results.map((r) => r.event.seq)), new Set([1]));
    const again = await clients[0]!.call('relay.storeEvent', text('conv-dup', 'user-d', 'same-cid', 'later'));
    assert.equal(again.duplicate, true);
    assert.equal(again.event.content, results.find((r) => !r.duplicate)!.event.content);
    const next = await clients[1]!.call('relay.storeEvent', text('conv-dup', 'user-d', 'other-cid'));
    assert.equal(next.event.seq, 2);
    // A different sender may use the same cid.
    const other = await clients[1]!.call('relay.storeEvent', text('conv-dup', 'user-e', 'same-cid'));
    assert.deepEqual([other.duplicate, other.event.seq], [false, 3]);
  });

  test('the same sender may send the same content twice in one burst: two events, two ids', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => clients[0]!.call('relay.storeEvent', text('conv-same', 'user-s', `same-${i}`, 'ok'))));
    assert.equal(new Set(results.map((r) => r.event.id)).size, 6);
    assert.deepEqual(results.map((r) => r.event.seq).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6]);
  });

  test('an invalid event is refused alone; the events sent beside it are stored', async () => {
    const good = Array.from({ length: 8 }, (_, i) => clients[0]!.call('relay.storeEvent', text('conv-iso', `user-${i}`, `iso-${i}`)));
    const bad = clients[0]!.call('relay.storeEvent', { ...text('conv-iso', 'user-x', 'iso-bad'), content: 'nul \u0000 inside' });
    const [badResult, ...goodResults] = await Promise.allSettled([bad, ...good]);
    assert.equal(badResult!.status, 'rejected');
    assert.equal(((badResult as PromiseRejectedResult).reason as AppError).code, 'bad_request');
    assert.ok(goodResults.every((r) => r.status === 'fulfilled'));
    const page = await clients[0]!.call('relay.syncEvents', { conversation_id: 'conv-iso', after_seq: 0, limit: 50 });
    assert.deepEqual(page.events.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test('ids computed while storing match the contract hash, whatever the characters', async () => {
    const contents = ['plain', 'quote " and backslash \\', 'line\nbreak\ttab\r', 'control \u0001\u001f\u007f', 'émoji 😀 中文', 'separators \u2028\u2029', '</script>'];
    const results = await Promise.all(
      contents.map((content, i) =>
        clients[0]!.call('relay.storeEvent', { ...text('conv-id', 'user-ü "q"', `id-${i}`, content), tags: [['mention', 'ü\n"x"'], ['reply', 'a'.repeat(64)]] }),
      ),
    );
    for (const { event } of results) {
      assert.equal(event.id, computeEventId(event), `id of ${JSON.stringify(event.content)}`);
    }
    // One at a time, each store is a batch of one, which has a statement of its own.
    for (const [i, content] of contents.entries()) {
      const { event, duplicate } = await clients[0]!.call('relay.storeEvent', { ...text('conv-id-lone', 'user-ü "q"', `lone-${i}`, content), tags: [['mention', 'ü\n"x"']] });
      assert.equal(duplicate, false);
      assert.equal(event.seq, i + 1);
      assert.equal(event.id, computeEventId(event), `id of lone ${JSON.stringify(event.content)}`);
      const again = await clients[1]!.call('relay.storeEvent', { ...text('conv-id-lone', 'user-ü "q"', `lone-${i}`, content), tags: [['mention', 'ü\n"x"']] });
      assert.deepEqual(again, { event, duplicate: true });
    }
    const stored = await clients[1]!.call('relay.syncEvents', { conversation_id: 'conv-id', limit: 50 });
    for (const e of stored.events) assert.equal(e.id, computeEventId(e));
    // Unpaired surrogates are not Unicode: refused rather than stored as something else.
    await assert.rejects(clients[0]!.call('relay.storeEvent', text('conv-id', 'u', 'id-bad', 'lone \ud800 surrogate')), (e: AppError) => e.code === 'bad_request');
  });

  test('many conversations in one burst each count from 1', async () => {
    const results = await Promise.all(
      Array.from({ length: 90 }, (_, i) => clients[0]!.call('relay.storeEvent', text(`conv-many-${i % 9}`, 'user-m', `m-${i}`))),
    );
    for (let c = 0; c < 9; c++) {
      const seqs = results.filter((r) => r.event.conversation_id === `conv-many-${c}`).map((r) => r.event.seq).sort((x, y) => x - y);
      assert.deepEqual(seqs, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    }
  });

  test('getEvent, queryEvents and the join floor', async () => {
    const stored = await clients[0]!.call('relay.storeEvent', text('conv-q', 'user-q', 'q-1', 'first'));
    await clients[0]!.call('relay.storeEvent', text('conv-q', 'user-q', 'q-2', 'second'));
    assert.equal((await clients[1]!.call('relay.getEvent', { event_id: stored.event.id })).event.content, 'first');
    await assert.rejects(clients[1]!.call('relay.getEvent', { event_id: 'f'.repeat(64) }), (e: AppError) => e.code === 'not_found');
    const q = await clients[1]!.call('relay.queryEvents', { conversation_id: 'conv-q', kinds: [1], limit: 10 });
    assert.deepEqual(q.events.map((e) => e.content), ['first', 'second']);
    const floor = await clients[1]!.call('relay.syncEvents', { conversation_id: 'conv-q', min_seq: 1, limit: 10 });
    assert.deepEqual(floor.events.map((e) => e.seq), [2]);
    const afterFloor = await clients[1]!.call('relay.syncEvents', { conversation_id: 'conv-q', after_seq: 0, min_seq: 1, limit: 10 });
    assert.deepEqual(afterFloor.events.map((e) => e.seq), [2]);
  });

  test('conversation states count unread messages by others above the read point', async () => {
    await clients[0]!.call('relay.storeEvent', text('conv-s', 'u-a', 's-1'));
    await clients[0]!.call('relay.storeEvent', text('conv-s', 'u-b', 's-2'));
    await clients[0]!.call('relay.storeEvent', text('conv-s', 'u-b', 's-3'));
    const { states } = await clients[0]!.call('relay.getConversationStates', {
      user_id: 'u-a',
      conversations: [
        { conversation_id: 'conv-s', join_seq: 0 },
        { conversation_id: 'conv-empty', join_seq: 0 },
      ],
    });
    const s = states.find((x) => x.conversation_id === 'conv-s')!;
    assert.deepEqual([s.max_seq, s.read_seq, s.unread, s.last_event?.cid], [3, 0, 2, 's-3']);
    const empty = states.find((x) => x.conversation_id === 'conv-empty')!;
    assert.deepEqual([empty.max_seq, empty.unread, empty.last_event], [0, 0, null]);
    const joinedLate = await clients[0]!.call('relay.getConversationStates', { user_id: 'u-c', conversations: [{ conversation_id: 'conv-s', join_seq: 2 }] });
    assert.deepEqual([joinedLate.states[0]!.read_seq, joinedLate.states[0]!.unread], [2, 1]);
  });

  test('validateRevoke and validateEdit check without storing; updateReadReceipt moves forward only', async () => {
    const mine = await clients[0]!.call('relay.storeEvent', text('conv-v', 'u-v', 'v-1'));
    const check = { sender_id: 'u-v', conversation_id: 'conv-v', target_id: mine.event.id };
    assert.deepEqual(await clients[0]!.call('relay.validateRevoke', check), { ok: true });
    assert.deepEqual(await clients[0]!.call('relay.validateEdit', check), { ok: true });
    await assert.rejects(clients[0]!.call('relay.validateRevoke', { ...check, sender_id: 'u-w' }), (e: AppError) => e.code === 'forbidden');
    await assert.rejects(clients[0]!.call('relay.validateEdit', { ...check, conversation_id: 'conv-other' }), (e: AppError) => e.code === 'bad_request');
    await assert.rejects(clients[0]!.call('relay.validateRevoke', { ...check, target_id: 'b'.repeat(64) }), (e: AppError) => e.code === 'not_found');
    const page = await clients[0]!.call('relay.syncEvents', { conversation_id: 'conv-v', limit: 10 });
    assert.equal(page.max_seq, 1);
    const { events } = await clients[1]!.call('relay.getEvents', { event_ids: [mine.event.id, 'c'.repeat(64)] });
    assert.deepEqual(events.map((e) => e.id), [mine.event.id]);
    await clients[0]!.call('relay.storeEvent', text('conv-v', 'u-v', 'v-2'));
    const r1 = await clients[0]!.call('relay.updateReadReceipt', { user_id: 'u-r', conversation_id: 'conv-v', seq: 1 });
    const r0 = await clients[0]!.call('relay.updateReadReceipt', { user_id: 'u-r', conversation_id: 'conv-v', seq: 0 });
    const r9 = await clients[0]!.call('relay.updateReadReceipt', { user_id: 'u-r', conversation_id: 'conv-v', seq: 9 });
    assert.deepEqual([r1.read_seq, r0.read_seq, r9.read_seq], [1, 1, 2]);
  });

  test('invalid params are -32602 with the contract code; kind rules apply', async () => {
    await assert.rejects(clients[0]!.call('relay.storeEvent', { ...text('c', 'u', 'x'), content: '' }), (e: AppError) => e.code === 'bad_request');
    await assert.rejects(clients[0]!.call('relay.storeEvent', { ...text('c', 'u', 'x'), content: 'x'.repeat(16385) }), (e: AppError) => e.code === 'too_large');
    await assert.rejects(clients[0]!.call('relay.storeEvent', { ...text('c', 'u', 'x'), cid: '' } as never), (e: AppError) => e.code === 'bad_request' && e.field === 'cid');
    const raw = await fetch(`${relays[0]!.url}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'relay.syncEvents', params: { conversation_id: 5 } }),
    });
    const body = (await raw.json()) as { error: { code: number; data: { code: string; field: string } } };
    assert.equal(body.error.code, -32602);
    assert.deepEqual(body.error.data, { code: 'bad_request', field: 'conversation_id' });
  });

  test('a body that is not JSON is a JSON-RPC parse error (-32700)', async () => {
    for (const body of ['{"jsonrpc": "2.0", "method": ', 'not json at all']) {
      const res = await fetch(`${relays[0]!.url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body });
      const reply = (await res.json()) as { jsonrpc: string; id: unknown; error: { code: number } };
      assert.deepEqual([reply.jsonrpc, reply.id, reply.error.code], ['2.0', null, -32700]);
    }
  });

  test('callers without the internal token get HTTP 401', async () => {
    const res = await fetch(`${relays[0]!.url}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer wrong-token' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'relay.getEvent', params: { event_id: 'a'.repeat(64) } }),
    });
    assert.equal(res.status, 401);
    const none = await fetch(`${relays[0]!.url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(none.status, 401);
  });
});
