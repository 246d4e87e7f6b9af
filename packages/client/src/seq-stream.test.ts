import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SeqStream } from './seq-stream.js';

const ev = (seq: number, tag = '') => ({ seq, tag });
const seqs = (es: Array<{ seq: number }>) => es.map((e) => e.seq);

test('in-order pushes go straight out; repeats are dropped', () => {
  const s = new SeqStream<{ seq: number; tag: string }>(0);
  assert.deepEqual(seqs(s.push(ev(1)).ready), [1]);
  assert.deepEqual(seqs(s.push(ev(2)).ready), [2]);
  assert.deepEqual(s.push(ev(2)), { ready: [], gap: false });
  assert.deepEqual(s.push(ev(1)), { ready: [], gap: false });
  assert.equal(s.delivered, 2);
});

test('a push that skips seqs is held and reported as a gap until it is filled', () => {
  const s = new SeqStream<{ seq: number; tag: string }>(5);
  assert.deepEqual(s.push(ev(8)), { ready: [], gap: true });
  assert.deepEqual(s.push(ev(7)), { ready: [], gap: true });
  assert.equal(s.hasGap, true);
  // The missing 6 arrives as a push: 6, 7 and 8 go out in order.
  assert.deepEqual(seqs(s.push(ev(6)).ready), [6, 7, 8]);
  assert.equal(s.hasGap, false);
  assert.equal(s.delivered, 8);
});

test('a sync page fills the gap and releases what was held, each event once', () => {
  const s = new SeqStream<{ seq: number; tag: string }>(0);
  s.push(ev(4, 'push'));
  s.push(ev(5, 'push'));
  const out = s.page([ev(1), ev(2), ev(3), ev(4, 'sync')], 4);
  assert.deepEqual(seqs(out), [1, 2, 3, 4, 5]);
  // The page's copy of 4 wins over the held push (it is in its current state).
  assert.equal(out[3]!.tag, 'sync');
  assert.equal(s.hasGap, false);
  assert.deepEqual(s.page([ev(3), ev(4), ev(5)], 5), []);
});

test('seqs missing from a page (hidden events) are not gaps: the page covers them', () => {
  const s = new SeqStream<{ seq: number; tag: string }>(0);
  s.push(ev(6));
  assert.deepEqual(seqs(s.page([ev(1), ev(3)], 5)), [1, 3, 6]);
  assert.equal(s.delivered, 6);
  assert.equal(s.hasGap, false);
});

test('a page that stops short (has_more) leaves the rest held', () => {
  const s = new SeqStream<{ seq: number; tag: string }>(0);
  s.push(ev(10));
  assert.deepEqual(seqs(s.page([ev(1), ev(2)], 2)), [1, 2]);
  assert.equal(s.hasGap, true);
  assert.deepEqual(seqs(s.page(Array.from({ length: 7 }, (_, i) => ev(i + 3)), 9)), [3, 4, 5, 6, 7, 8, 9, 10]);
});

test('an empty page up to max_seq moves the cursor (events the reader may not see)', () => {
  const s = new SeqStream<{ seq: number; tag: string }>(0);
  assert.deepEqual(s.page([], 40), []);
  assert.equal(s.delivered, 40);
  assert.deepEqual(seqs(s.push(ev(41)).ready), [41]);
});
