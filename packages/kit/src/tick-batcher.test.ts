import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TickBatcher } from './tick-batcher.js';

test('keys asked for in one turn are loaded by one call, each answered with its own value', async () => {
  const calls: string[][] = [];
  const b = new TickBatcher<string, number>(async (keys) => {
    calls.push(keys);
    return new Map(keys.filter((k) => k !== 'missing').map((k) => [k, k.length]));
  });
  const answers = await Promise.all([b.get('a'), b.get('bbb'), b.get('a'), b.get('missing')]);
  assert.deepEqual(answers, [1, 3, 1, undefined]);
  assert.deepEqual(calls, [['a', 'bbb', 'missing']]);
  // A later turn is a new batch.
  assert.equal(await b.get('cc'), 2);
  assert.deepEqual(calls.at(-1), ['cc']);
});

test('a batch larger than the limit is loaded in chunks', async () => {
  const sizes: number[] = [];
  const b = new TickBatcher<number, number>(async (keys) => {
    sizes.push(keys.length);
    return new Map(keys.map((k) => [k, k * 2]));
  }, { maxBatch: 4 });
  const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => b.get(i)));
  assert.deepEqual(answers, Array.from({ length: 10 }, (_, i) => i * 2));
  assert.deepEqual(sizes, [4, 4, 2]);
});

test('a failed load fails the keys of its chunk only, and a throwing loader is a failure too', async () => {
  const b = new TickBatcher<number, number>(async (keys) => {
    if (keys.includes(0)) throw new Error('down');
    return new Map(keys.map((k) => [k, k]));
  }, { maxBatch: 2 });
  const results = await Promise.allSettled([b.get(0), b.get(1), b.get(2), b.get(3)]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'rejected', 'fulfilled', 'fulfilled'],
  );
  const throwing = new TickBatcher<number, number>(() => {
    throw new Error('sync');
  });
  await assert.rejects(throwing.get(1), /sync/);
});

test('with a window, keys asked for over several turns within it share one load', async () => {
  const calls: number[][] = [];
  const b = new TickBatcher<number, number>(async (keys) => {
    calls.push(keys);
    return new Map(keys.map((k) => [k, k]));
  }, { windowMs: 30 });
  const first = b.get(1);
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  const second = b.get(2);
  assert.deepEqual(await Promise.all([first, second]), [1, 2]);
  assert.deepEqual(calls, [[1, 2]]);
});

test('at its concurrency, keys wait for the call under way and then go together', async () => {
  const calls: number[][] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const b = new TickBatcher<number, number>(async (keys) => {
    calls.push(keys);
    if (calls.length === 1) await gate;
    return new Map(keys.map((k) => [k, -k]));
  }, { concurrency: 1 });
  const first = b.get(1);
  await new Promise((r) => setImmediate(r));
  // The first call is under way: these three gather over several turns.
  const later = [b.get(2)];
  await new Promise((r) => setImmediate(r));
  later.push(b.get(3), b.get(2));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(calls, [[1]]);
  release();
  assert.deepEqual(await Promise.all([first, ...later]), [-1, -2, -3, -2]);
  assert.deepEqual(calls, [[1], [2, 3]]);
});
