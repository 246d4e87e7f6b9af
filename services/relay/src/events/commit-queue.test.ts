import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommitQueue, ItemFailure } from './commit-queue.js';

test('a lone item is written at once, items arriving meanwhile share the next batch', async () => {
  const batches: number[][] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const q = new CommitQueue<number, number>(
    async (items) => {
      batches.push(items);
      if (batches.length === 1) await gate;
      return items.map((i) => i * 10);
    },
    { maxBatch: 3, concurrency: 1 },
  );
  const first = q.push(1);
  const rest = [2, 3, 4, 5].map((i) => q.push(i));
  release();
  assert.deepEqual(await Promise.all([first, ...rest]), [10, 20, 30, 40, 50]);
  assert.deepEqual(batches, [[1], [2, 3, 4], [5]]);
});

test('a failed batch rejects only its own items', async () => {
  const q = new CommitQueue<number, number>(
    async (items) => {
      if (items.includes(2)) throw new Error('boom');
      return items;
    },
    { maxBatch: 1, concurrency: 2 },
  );
  const results = await Promise.allSettled([q.push(1), q.push(2), q.push(3)]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
});

test('never runs more batches at once than allowed', async () => {
  let running = 0;
  let peak = 0;
  const q = new CommitQueue<number, number>(
    async (items) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return items;
    },
    { maxBatch: 2, concurrency: 2 },
  );
  await Promise.all(Array.from({ length: 20 }, (_, i) => q.push(i)));
  assert.equal(peak, 2);
});

test('an item that failed alone rejects alone', async () => {
  const q = new CommitQueue<number, number>(async (items) => items.map((i) => (i === 2 ? new ItemFailure(new Error('bad item')) : i)), {
    maxBatch: 10,
    concurrency: 1,
  });
  const results = await Promise.allSettled([q.push(1), q.push(2), q.push(3)]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
});

test('with keys, batches in flight together never share a key, and each key keeps its order', async () => {
  const running = new Set<string>();
  const seen: string[] = [];
  const q = new CommitQueue<string, string>(
    async (items) => {
      const keys = new Set(items.map((i) => i[0]!));
      for (const k of keys) assert.ok(!running.has(k), `key ${k} in two batches at once`);
      keys.forEach((k) => running.add(k));
      await new Promise((r) => setTimeout(r, 3));
      keys.forEach((k) => running.delete(k));
      seen.push(...items);
      return items;
    },
    { maxBatch: 4, concurrency: 3, keyOf: (i) => i[0]! },
  );
  const items = Array.from({ length: 60 }, (_, n) => `${'abcde'[n % 5]}${n}`);
  assert.deepEqual(await Promise.all(items.map((i) => q.push(i))), items);
  for (const k of 'abcde') {
    const mine = seen.filter((i) => i[0] === k).map((i) => Number(i.slice(1)));
    assert.deepEqual(mine, [...mine].sort((x, y) => x - y));
  }
});

test('items count as waiting for a slot only while every slot is taken, not while only their key is busy', async () => {
  const gates: Array<() => void> = [];
  const q = new CommitQueue<{ key: string; n: number }, number>(
    async (items) => {
      await new Promise<void>((r) => gates.push(r));
      return items.map((i) => i.n);
    },
    { maxBatch: 10, concurrency: 2, keyOf: (i) => i.key },
  );
  const a1 = q.push({ key: 'a', n: 1 });
  const a2 = q.push({ key: 'a', n: 2 });
  // One batch in flight, one slot free: a2 waits for its key only.
  assert.equal(q.size, 1);
  assert.equal(q.waitingForSlot, 0);
  const b1 = q.push({ key: 'b', n: 3 });
  const c1 = q.push({ key: 'c', n: 4 });
  // Both slots taken (a1; b1): a2 and c1 wait for a slot.
  assert.equal(q.size, 2);
  assert.equal(q.waitingForSlot, 2);
  while (gates.length > 0 || q.size > 0) {
    gates.shift()?.();
    await new Promise((r) => setImmediate(r));
  }
  assert.deepEqual(await Promise.all([a1, a2, b1, c1]), [1, 2, 3, 4]);
  assert.equal(q.waitingForSlot, 0);
});
