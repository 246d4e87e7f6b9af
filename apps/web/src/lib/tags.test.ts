import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileOf, forwardedSources } from './tags.js';

test('a file message needs url, m and size; the name falls back to the URL', () => {
  assert.deepEqual(fileOf([['url', 'https://x/a/report.pdf'], ['m', 'application/pdf'], ['size', '2048']]), { url: 'https://x/a/report.pdf', mime: 'application/pdf', size: 2048, name: 'report.pdf' });
  assert.equal(fileOf([['url', 'https://x'], ['size', '1']]), undefined);
  assert.equal(fileOf([['url', 'https://x'], ['m', 'a/b'], ['size', 'many']]), undefined);
  assert.equal(fileOf([['url', 'https://x/'], ['m', 'a/b'], ['size', '1'], ['name', 'n.txt']])?.name, 'n.txt');
});

test('forwarded sources come from the src tags, with their own tags parsed', () => {
  const src = forwardedSources([
    ['e', 'abc'],
    ['src', 'abc', '1', 'u1', '1700000000000', 'hello', '[["mention","u2"]]'],
    ['src', 'def', '3', 'u2', '1700000000001', '', 'not json'],
    ['src', 'short'],
  ]);
  assert.equal(src.length, 2);
  assert.deepEqual(src[0], { id: 'abc', kind: 1, sender_id: 'u1', created_at: 1700000000000, content: 'hello', tags: [['mention', 'u2']] });
  assert.deepEqual(src[1]!.tags, []);
});
