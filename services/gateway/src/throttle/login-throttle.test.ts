import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '@im/protocol';
import { MemoryCounterStore } from './counter-store.js';
import { accountKey, LoginThrottle } from './login-throttle.js';

test('too many failures for one account are refused with a retry time', async () => {
  let now = 0;
  const t = new LoginThrottle(new MemoryCounterStore(100, () => now), { perAccount: 3, perAddress: 100, windowSeconds: 60 });
  for (let i = 0; i < 3; i++) {
    await t.check('u:a', '1.1.1.1');
    await t.failed('u:a', '1.1.1.1');
  }
  await assert.rejects(t.check('u:a', '2.2.2.2'), (e: AppError) => e.code === 'rate_limited' && e.retryAfter === 60);
  await t.check('u:b', '1.1.1.1');
  now = 61_000;
  await t.check('u:a', '1.1.1.1');
});

test('too many failures from one address are refused whatever the account', async () => {
  const t = new LoginThrottle(new MemoryCounterStore(), { perAccount: 100, perAddress: 2, windowSeconds: 60 });
  await t.failed('u:a', '9.9.9.9');
  await t.failed('u:b', '9.9.9.9');
  await assert.rejects(t.check('u:c', '9.9.9.9'), (e: AppError) => e.code === 'rate_limited');
  await t.check('u:c', '8.8.8.8');
});

test('a success clears the account count', async () => {
  const t = new LoginThrottle(new MemoryCounterStore(), { perAccount: 2, perAddress: 100, windowSeconds: 60 });
  await t.failed('u:a', 'x');
  await t.succeeded('u:a');
  await t.failed('u:a', 'x');
  await t.check('u:a', 'x');
});

test('the memory store stays bounded', async () => {
  const store = new MemoryCounterStore(10);
  for (let i = 0; i < 50; i++) await store.incr(`k${i}`, 60);
  assert.equal((await store.get('k49')).count, 1);
  assert.equal((await store.get('k0')).count, 0);
});

test('account keys ignore case', () => {
  assert.equal(accountKey({ username: 'Alice' }), accountKey({ username: 'alice' }));
  assert.equal(accountKey({ email: 'A@B.co' }), 'e:a@b.co');
  assert.equal(accountKey({ phone: '+123456' }), 'p:+123456');
});
