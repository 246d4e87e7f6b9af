import assert from 'node:assert/strict';
import { test } from 'node:test';
import { insertMention, matchMembers, mentionAt, mentionedIds, splitMentions } from './mentions.js';

test('a mention is being typed after @ at the start or after a space', () => {
  assert.deepEqual(mentionAt('@al', 3), { start: 0, query: 'al' });
  assert.deepEqual(mentionAt('hi @', 4), { start: 3, query: '' });
  assert.equal(mentionAt('mail@host', 9), undefined);
  assert.equal(mentionAt('@al done', 8), undefined);
  assert.deepEqual(mentionAt('hi @bo and more', 6), { start: 3, query: 'bo' });
});

test('choosing a member writes @name and a space and moves the caret after it', () => {
  const q = mentionAt('hi @bo!', 6)!;
  assert.deepEqual(insertMention('hi @bo!', 6, q, 'Bob'), { text: 'hi @Bob !', caret: 8 });
});

test('members match by prefix first, then by substring, case-insensitively', () => {
  const ms = [{ name: 'Carol' }, { name: 'Alice' }, { name: 'Malik' }, { name: 'alan' }];
  assert.deepEqual(matchMembers(ms, 'al').map((m) => m.name), ['Alice', 'alan', 'Malik']);
  assert.equal(matchMembers(ms, '', 2).length, 2);
});

test('only mentions still in the text become tags, each once', () => {
  const chosen = [
    { user_id: 'u1', name: 'Bob' },
    { user_id: 'u2', name: 'Eve' },
    { user_id: 'u1', name: 'Bob' },
  ];
  assert.deepEqual(mentionedIds('hey @Bob and @Bob', chosen), ['u1']);
  assert.deepEqual(mentionedIds('no one', chosen), []);
});

test('mentions split out of the text, the longest name first', () => {
  assert.deepEqual(splitMentions('hi @Bo and @Bob!', ['Bo', 'Bob']), [{ text: 'hi ' }, { text: '@Bo', mention: true }, { text: ' and ' }, { text: '@Bob', mention: true }, { text: '!' }]);
  assert.deepEqual(splitMentions('plain', []), [{ text: 'plain' }]);
});
