import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import { computeEventId } from './event-id.js';

test('the id is the SHA-256 of the canonical JSON array', () => {
  const e = { sender_id: 'u1', conversation_id: 'c1', created_at: 1700000000000, kind: 1, tags: [['mention', 'u2']], content: 'héllo "x"' };
  const expected = crypto
    .createHash('sha256')
    .update('[0,"u1","c1",1700000000000,1,[["mention","u2"]],"héllo \\"x\\""]', 'utf8')
    .digest('hex');
  assert.equal(computeEventId(e), expected);
  assert.match(computeEventId(e), /^[0-9a-f]{64}$/);
});

test('any field change changes the id', () => {
  const base = { sender_id: 'u1', conversation_id: 'c1', created_at: 1, kind: 1, tags: [], content: 'a' };
  const id = computeEventId(base);
  assert.notEqual(computeEventId({ ...base, content: 'b' }), id);
  assert.notEqual(computeEventId({ ...base, created_at: 2 }), id);
  assert.notEqual(computeEventId({ ...base, sender_id: 'u2' }), id);
});
