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
