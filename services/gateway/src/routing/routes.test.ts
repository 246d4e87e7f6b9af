import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RouteTable } from './routes.js';

test('routes follow first sockets and last sockets, per gateway', () => {
  const t = new RouteTable();
  t.set('gw2', 'u1', true);
  t.set('gw3', 'u1', true);
  assert.deepEqual([...t.gatewaysOf('u1')!].sort(), ['gw2', 'gw3']);
  t.set('gw2', 'u1', false);
  assert.deepEqual([...t.gatewaysOf('u1')!], ['gw3']);
  t.dropGateway('gw3');
  assert.equal(t.gatewaysOf('u1'), undefined);
  assert.equal(t.users, 0);
});

test('a refill keeps the changes that arrived while it was reading', async () => {
  const t = new RouteTable();
  t.set('gw2', 'stale', true);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const refill = t.refill(async () => {
    await gate;
    return new Map([['gw2', ['u1', 'u2']]]);
  });
  // While Redis is read: u3 connects on gw3, u2 leaves gw2.
  t.set('gw3', 'u3', true);
  t.set('gw2', 'u2', false);
  release();
  await refill;
  assert.deepEqual([...t.gatewaysOf('u1')!], ['gw2']);
  assert.equal(t.gatewaysOf('u2'), undefined);
  assert.deepEqual([...t.gatewaysOf('u3')!], ['gw3']);
  assert.equal(t.gatewaysOf('stale'), undefined, 'what Redis no longer lists is gone');
});

test('a refill of one gateway leaves the others alone', async () => {
  const t = new RouteTable();
  t.set('gw2', 'a', true);
  t.set('gw3', 'b', true);
  await t.refill(async () => new Map([['gw2', ['c']]]), 'gw2');
  assert.equal(t.gatewaysOf('a'), undefined);
  assert.deepEqual([...t.gatewaysOf('b')!], ['gw3']);
  assert.deepEqual([...t.gatewaysOf('c')!], ['gw2']);
});

test('overlapping refills each keep the changes that arrived while they read, whichever ends last', async () => {
  const t = new RouteTable();
  let releaseFirst!: () => void;
  const first = t.refill(async () => {
    await new Promise<void>((r) => (releaseFirst = r));
    return new Map([['gw2', []]]);
  });
  const second = t.refill(async () => new Map([['gw2', []]]));
  // Arrives after both started reading Redis (neither read saw it).
  t.set('gw2', 'u1', true);
  await second;
  releaseFirst();
  await first;
  assert.deepEqual([...t.gatewaysOf('u1')!], ['gw2']);
});
