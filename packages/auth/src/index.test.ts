import assert from 'node:assert/strict';
import { test } from 'node:test';
import jwt from 'jsonwebtoken';
import { AccessTokens, deriveKey, TOKEN_AUDIENCE, TOKEN_ISSUER } from './index.js';

test('issued tokens verify, carry user and session, and expire', () => {
  const tokens = new AccessTokens('a-secret-of-enough-length');
  const now = Date.now();
  const { token, expires_at } = tokens.issue('u1', 's1', now, 60);
  assert.deepEqual(tokens.verify(token), { user_id: 'u1', session_id: 's1', expires_at });
  assert.equal(new AccessTokens('another-secret-entirely').verify(token), undefined);
  assert.equal(tokens.verify(tokens.issue('u1', 's1', now - 120_000, 60).token), undefined);
});

test('tokens of another type, algorithm, issuer or audience, or signed with the bare secret, are refused', () => {
  const secret = 'a-secret-of-enough-length';
  const key = deriveKey(secret, 'access-token');
  const tokens = new AccessTokens(secret);
  const good = { issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, expiresIn: 60 } as const;
  assert.ok(tokens.verify(jwt.sign({ sub: 'u', sid: 's', typ: 'access' }, key, good)));
  assert.equal(tokens.verify(jwt.sign({ sub: 'u', sid: 's', typ: 'refresh' }, key, good)), undefined);
  assert.equal(tokens.verify(jwt.sign({ sub: 'u', sid: 's', typ: 'access' }, key, { ...good, algorithm: 'HS512' })), undefined);
  assert.equal(tokens.verify(jwt.sign({ sub: 'u', sid: 's', typ: 'access' }, key, { ...good, issuer: 'someone-else' })), undefined);
  assert.equal(tokens.verify(jwt.sign({ sub: 'u', sid: 's', typ: 'access' }, key, { ...good, audience: 'another-service' })), undefined);
  assert.equal(tokens.verify(jwt.sign({ sub: 'u', sid: 's', typ: 'access' }, key, { expiresIn: 60 })), undefined);
  assert.equal(tokens.verify(jwt.sign({ sub: 'u', sid: 's', typ: 'access' }, secret, good)), undefined);
  assert.equal(tokens.verify('garbage'), undefined);
});

test('keys for different purposes differ', () => {
  assert.notDeepEqual(deriveKey('s'.repeat(16), 'access-token'), deriveKey('s'.repeat(16), 'login-code'));
  assert.deepEqual(deriveKey('s'.repeat(16), 'login-code'), deriveKey('s'.repeat(16), 'login-code'));
});
