import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grams, keysOf, normalize, referencedFile, searchBody } from './text.js';

test('normalize folds case in every cased script and full-width forms, locale-free', () => {
  assert.equal(normalize('ÉCOLE Straße ΣΟΦΙΑ'), 'école straße σοφια');
  assert.equal(normalize('ＦＵＬＬ　ｗｉｄｔｈ ｶﾀｶﾅ'), 'full width カタカナ');
});

test('searchBody: text content; file caption and name; nothing for other kinds', () => {
  assert.equal(searchBody(1, 'Hello', []), 'hello');
  assert.equal(searchBody(3, 'Caption', [['url', 'x'], ['name', 'Report.PDF']]), 'caption\nreport.pdf');
  assert.equal(searchBody(3, '', [['url', 'x']]), '');
  assert.equal(searchBody(12, '👍', [['e', 'x']]), undefined);
  assert.equal(searchBody(13, 'look', []), undefined);
});

test('grams are the distinct byte trigrams; one CJK character is already one', () => {
  assert.deepEqual(grams('ab'), []);
  assert.deepEqual(grams('abc'), [(0x61 << 16) | (0x62 << 8) | 0x63]);
  assert.equal(grams('aaaa').length, 1);
  assert.equal(grams('会').length, 1);
  assert.equal(grams('会议').length, 4);
});

test('runs of three bytes across whitespace are no keys; a text still holds every key of its substrings', () => {
  const key = (t: string) => (t.charCodeAt(0) << 16) | (t.charCodeAt(1) << 8) | t.charCodeAt(2);
  assert.deepEqual(grams('ab cd').sort(), []);
  assert.deepEqual(grams('abc de\tfgh\nij').sort((x, y) => x - y), [key('abc'), key('fgh')].sort((x, y) => x - y));
  const text = grams(normalize('the harbour at dawn'));
  for (const q of ['harbour', 'our at da', 'r at d', 'at dawn']) assert.ok(grams(q).every((k) => text.includes(k)), q);
  assert.equal(grams('r a').length, 0);
});

test('a substring’s keys are a subset of the text’s keys in the same conversation, not in another', () => {
  const text = keysOf(7, grams(normalize('明天下午三点开会议，别迟到')));
  const query = keysOf(7, grams(normalize('会议')));
  assert.ok(query.every((k) => text.includes(k)));
  assert.ok(!keysOf(8, grams('会议')).every((k) => text.includes(k)));
});

test('referencedFile: the file id of a kind 3 url of this cluster only', () => {
  assert.equal(referencedFile(3, [['url', 'https://chat.example/api/files/fabcdefghij123']]), 'fabcdefghij123');
  assert.equal(referencedFile(3, [['url', '/api/files/fabcdefghij123?download=1']]), 'fabcdefghij123');
  assert.equal(referencedFile(3, [['url', 'https://cdn.example/a.png']]), undefined);
  assert.equal(referencedFile(3, [['url', 'https://x/api/files/fabcdefghij123/../../etc']]), undefined);
  assert.equal(referencedFile(1, [['url', '/api/files/fabcdefghij123']]), undefined);
});
