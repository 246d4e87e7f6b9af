import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConversationInfo } from '@im/protocol';
import { entryBytes, MembersCache } from './members-cache.js';

function info(id: string, members: string[]): ConversationInfo {
  return {
    conversation_id: id,
    type: 'single',
    group_id: null,
    name: '',
    created_at: 0,
    read_only: false,
    members: members.map((user_id) => ({ user_id, role: 'member', joined_at: 0, join_seq: 0 })),
  };
}

test('caches, shares concurrent loads and honours invalidation', async () => {
  let loads = 0;
  let members = ['a', 'b'];
  const cache = new MembersCache(async (id) => (loads++, info(id, members)), { maxBytes: 1 << 20, ttlMs: 1000 });
  const [x, y] = await Promise.all([cache.get('c1'), cache.get('c1')]);
  assert.equal(loads, 1);
  assert.deepEqual(x.memberIds, ['a', 'b']);
  assert.equal(x, y);
  await cache.get('c1');
  assert.equal(loads, 1);
  members = ['a'];
  cache.invalidate(['c1']);
  assert.deepEqual((await cache.get('c1')).memberIds, ['a']);
  assert.equal(loads, 2);
});

test('entries expire after their ttl', async () => {
  let now = 0;
  let loads = 0;
  const cache = new MembersCache(async (id) => (loads++, info(id, ['a'])), { maxBytes: 1 << 20, ttlMs: 100, now: () => now });
  await cache.get('c1');
  now = 50;
  await cache.get('c1');
  now = 150;
  await cache.get('c1');
  assert.equal(loads, 2);
});

test('stays within its bound, dropping the least recently used', async () => {
  const cache = new MembersCache(async (id) => info(id, ['a']), { maxBytes: Math.floor(2.5 * entryBytes(info('c1', ['a']))), ttlMs: 1000 });
  await cache.get('c1');
  await cache.get('c2');
  await cache.get('c1');
  await cache.get('c3');
  assert.equal(cache.size, 2);
  let loads = 0;
  const probe = new MembersCache(async (id) => (loads++, info(id, ['a'])), { maxBytes: Math.floor(2.5 * entryBytes(info('c1', ['a']))), ttlMs: 1000 });
  await probe.get('c1');
  await probe.get('c2');
  await probe.get('c1');
  await probe.get('c3');
  await probe.get('c1');
  assert.equal(loads, 3);
});

test('a load that raced an invalidation is not kept', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let loads = 0;
  const cache = new MembersCache(
    async (id) => {
      loads++;
      if (loads === 1) await gate;
      return info(id, ['a']);
    },
    { maxBytes: 1 << 20, ttlMs: 1000 },
  );
  const first = cache.get('c1');
  cache.invalidate(['c1']);
  release();
  await first;
  await cache.get('c1');
  assert.equal(loads, 2);
});

test('a stale load finishing late does not take the place of a newer one', async () => {
  const gates: Array<() => void> = [];
  let loads = 0;
  const cache = new MembersCache(
    async (id) => {
      loads++;
      await new Promise<void>((r) => gates.push(r));
      return info(id, [`m${loads}`]);
    },
    { maxBytes: 1 << 20, ttlMs: 1000 },
  );
  const first = cache.get('c1');
  cache.invalidate(['c1']);
  const second = cache.get('c1');
  gates[0]!();
  await first;
  const third = cache.get('c1');
  gates[1]!();
  assert.deepEqual((await second).memberIds, ['m2']);
  assert.equal(await third, await second);
  assert.equal(loads, 2);
  assert.equal((await cache.get('c1')).joinSeqs.get('m2'), 0);
});

test('the bound is in bytes: a big group weighs as much as many small conversations', async () => {
  const big = Array.from({ length: 500 }, (_, i) => `u${String(i).padStart(20, '0')}`);
  const budget = 3 * entryBytes(info('g0', big));
  const cache = new MembersCache(async (id) => info(id, id.startsWith('g') ? big : ['a', 'b']), { maxBytes: budget, ttlMs: 1000 });
  for (let i = 0; i < 10; i++) await cache.get(`g${i}`);
  assert.equal(cache.size, 3);
  assert.ok(cache.weight <= budget);
  for (let i = 0; i < 100; i++) await cache.get(`c${i}`);
  assert.ok(cache.size >= 100, 'small conversations fit by the hundred');
  assert.ok(cache.weight <= budget);
  // One larger than the whole budget is served and not kept.
  const tiny = new MembersCache(async (id) => info(id, big), { maxBytes: 1000, ttlMs: 1000 });
  assert.equal((await tiny.get('g')).memberIds.length, 500);
  assert.equal(tiny.size, 0);
});
