import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TokenBucket, WindowCounter } from './rate-limit.js';

test('a bucket allows its burst, then its rate', () => {
  const b = new TokenBucket(50, 100, 0);
  let allowed = 0;
  for (let i = 0; i < 150; i++) if (b.take(0)) allowed++;
  assert.equal(allowed, 100);
  assert.equal(b.take(10), false); // 10 ms refill half a token
  assert.equal(b.take(20), true); // 20 ms refill one token at 50/s
  assert.equal(b.take(20), false);
});

test('a bucket never holds more than its burst', () => {
  const b = new TokenBucket(10, 5, 0);
  let allowed = 0;
  for (let i = 0; i < 20; i++) if (b.take(60_000)) allowed++;
  assert.equal(allowed, 5);
});

test('a window counter trips past its limit and forgets old hits', () => {
  const w = new WindowCounter(10, 60_000);
  for (let i = 0; i < 10; i++) assert.equal(w.hit(i), false);
  assert.equal(w.hit(10), true);
  assert.equal(w.hit(70_000), false);
});
