import assert from 'node:assert/strict';
import { test } from 'node:test';
import jwt from 'jsonwebtoken';
import { AccessTokens } from './index.js';

test('issued tokens verify, carry user and session, and expire', () => {
  const tokens = new AccessTokens('a-secret-of-enough-length');
  const now = Date.now();
  const { token, expires_at } = tokens.issue('u1', 's1', now, 60);
  assert.deepEqual(tokens.verify(token), { user_id: 'u1', session_id: 's1', expires_at });
  assert.equal(new AccessTokens('another-secret-entirely').verify(token), undefined);
  assert.equal(tokens.verify(tokens.issue('u1', 's1', now - 120_000, 60).token), undefined);
});

test('tokens of another type or algorithm are refused', () => {
  const secret = 'a-secret-of-enough-length';
  const tokens = new AccessTokens(secret);
  assert.equal(tokens.verify(jwt.sign({ sub: 'u', sid: 's', typ: 'refresh' }, secret, { expiresIn: 60 })), undefined);
  assert.equal(tokens.verify(jwt.sign({ sub: 'u', sid: 's', typ: 'access' }, secret, { expiresIn: 60, algorithm: 'HS512' })), undefined);
  assert.equal(tokens.verify('garbage'), undefined);
});
