import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '@im/protocol';
import { createThrottles, identityKey } from './throttles.js';

const settings = { loginPerAccount: 3, loginPerAddress: 100, loginWindowSeconds: 60, registerPerAddress: 2, codesPerAddress: 0 };

test('a budget is taken before the work: of many concurrent attempts only the budget passes', async () => {
  const t = createThrottles(settings, { prefix: 't:' });
  const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => t.loginAccount.take('acct')));
  assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 3);
  const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
  assert.ok(refused.reason instanceof AppError && refused.reason.code === 'rate_limited' && refused.reason.retryAfter! >= 1);
  await t.loginAccount.take('another account');
});

test('refunds give an attempt back; a reset clears the key; 0 turns a limit off', async () => {
  const t = createThrottles(settings, { prefix: 'r:' });
  await t.register.take('1.2.3.4');
  await t.register.take('1.2.3.4');
  await t.register.refund('1.2.3.4');
  await t.register.take('1.2.3.4');
  await assert.rejects(t.register.take('1.2.3.4'), (e: AppError) => e.code === 'rate_limited');
  for (let i = 0; i < 3; i++) await t.loginAccount.take('a');
  await t.loginAccount.reset('a');
  await t.loginAccount.take('a');
  for (let i = 0; i < 50; i++) await t.codes.take('5.6.7.8');
});

test('identity keys ignore case', () => {
  assert.equal(identityKey({ username: 'Alice' }), identityKey({ username: 'alice' }));
  assert.equal(identityKey({ email: 'A@B.co' }), 'e:a@b.co');
  assert.equal(identityKey({ phone: '+123456' }), 'p:+123456');
});
