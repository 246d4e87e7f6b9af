import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRedisUrl } from './redis-target.js';

test('one URL names a standalone Redis, with its options kept', () => {
  assert.deepEqual(parseRedisUrl('redis://:secret@redis:6380/2', false), {
    cluster: false,
    nodes: [{ host: 'redis', port: 6380 }],
    url: 'redis://:secret@redis:6380/2',
    password: 'secret',
    tls: false,
  });
  assert.deepEqual(parseRedisUrl('redis://127.0.0.1', false).nodes, [{ host: '127.0.0.1', port: 6379 }]);
});

test('several nodes, or REDIS_CLUSTER with one seed, name a Redis Cluster', () => {
  const several = parseRedisUrl('rediss://app:p%40ss@h1:7000,h2:7001,[::1]:7002', false);
  assert.deepEqual(several, {
    cluster: true,
    nodes: [
      { host: 'h1', port: 7000 },
      { host: 'h2', port: 7001 },
      { host: '::1', port: 7002 },
    ],
    url: 'rediss://app:p%40ss@h1:7000,h2:7001,[::1]:7002',
    username: 'app',
    password: 'p@ss',
    tls: true,
  });
  assert.equal(parseRedisUrl('redis://seed:7000', true).cluster, true);
});

test('malformed values are refused with the reason', () => {
  assert.throws(() => parseRedisUrl('http://h1:7000', false), /must be redis/);
  assert.throws(() => parseRedisUrl('redis://h1:7000,h2:99999', false), /not host:port/);
  assert.throws(() => parseRedisUrl('redis://h1:7000,h2:7001/3', false), /no database number/);
  assert.throws(() => parseRedisUrl('redis://h1:7000,,h2:7001', false), /not host:port/);
});
