import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '@im/protocol';
import { compareKeys, decodeCursor, encodeCursor } from './cursor.js';

test('cursors round-trip and refuse anything else', () => {
  const c = { pinned: true, updated_at: 1_700_000_000_123, conversation_id: 'c123' };
  assert.deepEqual(decodeCursor(encodeCursor(c)), c);
  for (const bad of ['', '!!!', Buffer.from('[2,1,"c"]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url'), Buffer.from('[0,1.5,"c"]').toString('base64url')]) {
    assert.throws(() => decodeCursor(bad), (e: unknown) => e instanceof AppError && e.code === 'bad_request' && e.field === 'before');
  }
});

test('pinned first, then newest, then by id', () => {
  const keys = [
    { pinned: false, updated_at: 5, conversation_id: 'b' },
    { pinned: true, updated_at: 1, conversation_id: 'z' },
    { pinned: false, updated_at: 5, conversation_id: 'a' },
    { pinned: false, updated_at: 9, conversation_id: 'y' },
  ];
  assert.deepEqual(keys.sort(compareKeys).map((k) => k.conversation_id), ['z', 'y', 'a', 'b']);
});
