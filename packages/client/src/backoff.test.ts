import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay } from './backoff.js';

test('the window doubles per attempt up to the cap', () => {
  const top = () => 0.999999;
  assert.equal(backoffDelay(0, { baseMs: 100, maxMs: 10_000 }, top), 99);
  assert.equal(backoffDelay(1, { baseMs: 100, maxMs: 10_000 }, top), 199);
  assert.equal(backoffDelay(3, { baseMs: 100, maxMs: 10_000 }, top), 799);
  assert.equal(backoffDelay(20, { baseMs: 100, maxMs: 10_000 }, top), 9999);
  assert.equal(backoffDelay(5000, { baseMs: 100, maxMs: 10_000 }, top), 9999);
});

test('full jitter: anywhere from 0 to the window', () => {
  assert.equal(backoffDelay(4, { baseMs: 100 }, () => 0), 0);
  assert.equal(backoffDelay(4, { baseMs: 100 }, () => 0.5), 800);
  for (let i = 0; i < 1000; i++) {
    const d = backoffDelay(2, { baseMs: 100, maxMs: 1000 });
    assert.ok(d >= 0 && d < 400, `delay ${d}`);
  }
});
