import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRoute, routeHash } from './router.js';

test('hash routes name a tab and an optional id; anything else is the chats tab', () => {
  assert.deepEqual(parseRoute(''), { tab: 'chats' });
  assert.deepEqual(parseRoute('#/friends'), { tab: 'friends' });
  assert.deepEqual(parseRoute('#/chats/abc'), { tab: 'chats', id: 'abc' });
  assert.deepEqual(parseRoute('#/nope/x'), { tab: 'chats', id: 'x' });
});

test('ids round-trip through the hash, escaped', () => {
  const r = { tab: 'groups' as const, id: 'a/b c' };
  assert.equal(routeHash(r), '#/groups/a%2Fb%20c');
  assert.deepEqual(parseRoute(routeHash(r)), r);
});
