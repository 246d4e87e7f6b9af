import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventRow } from './repository.js';
import { fitPage, PAGE_BYTES } from './service.js';

const row = (seq: number, bytes: number): EventRow => ({
  conversation_id: 'c',
  seq,
  id: 'x'.repeat(64),
  sender_id: 'u',
  kind: 1,
  content: 'a'.repeat(bytes),
  tags: [],
  cid: `k${seq}`,
  created_at: seq,
  edited_at: null,
  revoked_at: null,
  current_content: null,
});

test('a page keeps the events nearest the reader within the byte budget, at least one', () => {
  const rows = Array.from({ length: 10 }, (_, i) => row(i + 1, PAGE_BYTES / 4));
  const head = fitPage(rows, 'head');
  const tail = fitPage(rows, 'tail');
  assert.ok(head.length > 0 && head.length < 10);
  assert.deepEqual(head.map((r) => r.seq), rows.slice(0, head.length).map((r) => r.seq));
  assert.deepEqual(tail.map((r) => r.seq), rows.slice(10 - tail.length).map((r) => r.seq));
  assert.equal(fitPage(rows.slice(0, 2), 'head').length, 2);
  const huge = [row(1, PAGE_BYTES * 2), row(2, 10)];
  assert.deepEqual(fitPage(huge, 'head').map((r) => r.seq), [1]);
  assert.deepEqual(fitPage(huge, 'tail').map((r) => r.seq), [2]);
  assert.deepEqual(fitPage([row(1, PAGE_BYTES * 2)], 'tail').map((r) => r.seq), [1]);
});
