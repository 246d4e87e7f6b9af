import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '@im/kit';
import { loadConfig } from './config.js';

const base = { JWT_SECRET: 'test-jwt-secret-0123456789', INTERNAL_TOKEN: 'test-internal-token-0123456789' };

test('REDIS_URL names one Redis, several cluster nodes, or one seed with REDIS_CLUSTER', () => {
  assert.equal(loadConfig(base).redis, undefined);
  assert.equal(loadConfig({ ...base, REDIS_URL: 'redis://127.0.0.1:6379' }).redis?.cluster, false);
  const several = loadConfig({ ...base, REDIS_URL: 'redis://h1:7000,h2:7001,h3:7002' }).redis!;
  assert.equal(several.cluster, true);
  assert.deepEqual(several.nodes.map((n) => n.port), [7000, 7001, 7002]);
  assert.equal(loadConfig({ ...base, REDIS_URL: 'redis://seed:7000', REDIS_CLUSTER: 'true' }).redis?.cluster, true);
});

test('a malformed REDIS_URL, a cluster with a database, or braces in REDIS_PREFIX stop the start', () => {
  for (const env of [{ REDIS_URL: 'redis//h1' }, { REDIS_URL: 'redis://h1:7000,h2:7001/2' }, { REDIS_URL: 'redis://h1', REDIS_CLUSTER: 'maybe' }, { REDIS_URL: 'redis://seed:7000/1', REDIS_CLUSTER: 'true' }, { REDIS_PREFIX: 'im{x}:' }]) {
    assert.throws(() => loadConfig({ ...base, ...env }), ConfigError, JSON.stringify(env));
  }
});
