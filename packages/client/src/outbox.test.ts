import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Ack } from '@im/protocol';
import { ImError } from './errors.js';
import { Outbox } from './outbox.js';
import { MemoryStore, type OutboxEntry } from './store.js';

const entry = (cid: string, queued_at = Date.now()): OutboxEntry => ({ cid, conversation_id: 'c', kind: 1, content: cid, tags: [], queued_at });
const ack = (cid: string, seq: number): Ack => ({ event_id: 'e'.repeat(64), conversation_id: 'c', seq, created_at: 1, cid, duplicate: false });

test('entries are stored before they count, and leave the store only when settled', async () => {
  const store = new MemoryStore();
  const box = new Outbox(store);
  await box.add(entry('a', 1));
  await box.add(entry('b', 2));
  await box.add(entry('a', 3));
  assert.deepEqual((await store.loadOutbox()).map((e) => e.cid), ['a', 'b']);
  const waiting = box.wait('a');
  assert.equal((await box.settle('a', ack('a', 7)))?.cid, 'a');
  assert.equal((await waiting).seq, 7);
  assert.deepEqual((await store.loadOutbox()).map((e) => e.cid), ['b']);
  // An ack for something not queued (a duplicate) changes nothing.
  assert.equal(await box.settle('a', ack('a', 7)), undefined);
});

test('a final refusal rejects the sender and drops the entry', async () => {
  const box = new Outbox(new MemoryStore());
  await box.add(entry('x'));
  const waiting = box.wait('x');
  await box.fail('x', new ImError({ code: 'forbidden', message: 'no' }));
  await assert.rejects(waiting, (e: ImError) => e.code === 'forbidden');
  assert.equal(box.size, 0);
});

test('a restart restores unacknowledged entries first, in their order', async () => {
  const store = new MemoryStore();
  const before = new Outbox(store);
  await before.add(entry('old2', 20));
  await before.add(entry('old1', 10));
  const after = new Outbox(store);
  await after.add(entry('new', 30));
  const restored = await after.restore();
  assert.deepEqual(restored.map((e) => e.cid), ['old1', 'old2']);
  assert.deepEqual(after.list().map((e) => e.cid), ['old1', 'old2', 'new']);
});

test('stopping rejects the waiting senders but keeps the entries for the next run', async () => {
  const store = new MemoryStore();
  const box = new Outbox(store);
  await box.add(entry('k'));
  const waiting = box.wait('k');
  box.rejectAll(new ImError({ code: 'unavailable', message: 'client closed' }));
  await assert.rejects(waiting, (e: ImError) => e.code === 'unavailable');
  assert.equal((await store.loadOutbox()).length, 1);
});
