import assert from 'node:assert/strict';
import { test } from 'node:test';
import { highlight, resultText, snippet } from './search.js';

test('hits are marked case-insensitively, every one of them', () => {
  assert.deepEqual(highlight('Lunch at noon? LUNCH!', 'lunch'), [
    { text: 'Lunch', hit: true },
    { text: ' at noon? ', hit: false },
    { text: 'LUNCH', hit: true },
    { text: '!', hit: false },
  ]);
  assert.deepEqual(highlight('明天开会吗', '开会'), [
    { text: '明天', hit: false },
    { text: '开会', hit: true },
    { text: '吗', hit: false },
  ]);
  assert.deepEqual(highlight('no match', 'zzz'), [{ text: 'no match', hit: false }]);
  assert.deepEqual(highlight('text', '  '), [{ text: 'text', hit: false }]);
});

test('file results show the name and the caption', () => {
  assert.equal(resultText({ kind: 3, content: 'the plan', tags: [['name', 'plan.pdf']] }), 'plan.pdf · the plan');
  assert.equal(resultText({ kind: 3, content: '', tags: [['name', 'plan.pdf']] }), 'plan.pdf');
  assert.equal(resultText({ kind: 1, content: 'hello', tags: [] }), 'hello');
});

test('a long text is cut around the first hit', () => {
  const text = `${'x '.repeat(200)}needle ${'y '.repeat(200)}`;
  const s = snippet(text, 'needle', 60);
  assert.ok(s.includes('needle'));
  assert.ok(s.startsWith('…') && s.endsWith('…'));
  assert.ok(s.length <= 62);
  assert.equal(snippet('short\n text', 'x'), 'short text');
});
