import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dayLabel, fileSize, hueOf, initials, listTime, presenceLabel } from './format.js';

const NOON = new Date(2024, 4, 15, 12, 0).getTime();

test('file sizes are shown in binary units with at most one decimal', () => {
  assert.equal(fileSize(0), '0 B');
  assert.equal(fileSize(1023), '1023 B');
  assert.equal(fileSize(1536), '1.5 KB');
  assert.equal(fileSize(25 * 1024 * 1024), '25 MB');
  assert.equal(fileSize(-1), '');
});

test('initials take the first and last word, and whole characters', () => {
  assert.equal(initials('Alice Liddell'), 'AL');
  assert.equal(initials('bob'), 'B');
  assert.equal(initials('  Mary Ann  Smith '), 'MS');
  assert.equal(initials('😀 smile'), '😀S');
  assert.equal(initials(''), '?');
});

test('day labels say Today and Yesterday, then the date', () => {
  assert.equal(dayLabel(NOON - 3600_000, NOON), 'Today');
  assert.equal(dayLabel(NOON - 24 * 3600_000, NOON), 'Yesterday');
  assert.match(dayLabel(NOON - 5 * 24 * 3600_000, NOON, 'en-US'), /May 10/);
});

test('list times: the clock today, the weekday this week, the date before', () => {
  assert.match(listTime(NOON - 60_000, NOON, 'en-US'), /11:59/);
  assert.equal(listTime(NOON - 2 * 24 * 3600_000, NOON, 'en-US'), 'Mon');
  assert.equal(listTime(NOON - 30 * 24 * 3600_000, NOON, 'en-US'), 'Apr 15');
});

test('presence labels', () => {
  assert.equal(presenceLabel(undefined, NOON), '');
  assert.equal(presenceLabel({ online: true, last_seen: null }, NOON), 'online');
  assert.equal(presenceLabel({ online: false, last_seen: null }, NOON), 'offline');
  assert.equal(presenceLabel({ online: false, last_seen: NOON - 5 * 60_000 }, NOON), 'last seen 5 min ago');
  assert.equal(presenceLabel({ online: false, last_seen: NOON - 3 * 3600_000 }, NOON), 'last seen 3 h ago');
});

test('avatar hues are stable and in range', () => {
  assert.equal(hueOf('abc'), hueOf('abc'));
  for (const id of ['a', 'user-1', 'x'.repeat(200)]) assert.ok(hueOf(id) >= 0 && hueOf(id) < 360);
});
