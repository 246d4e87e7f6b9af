import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { startRedisCluster, testRedisUrl, type RedisCluster } from '@im/devkit';
import { createLogger } from '@im/kit';
import { AppError } from '@im/protocol';
import { connectRedis, type RedisConnections } from '../routing/bus.js';
import { parseRedisUrl } from '../routing/redis-target.js';
import { createThrottles } from './throttles.js';

const settings = { loginPerAccount: 3, loginPerAddress: 100, loginWindowSeconds: 60, registerPerAddress: 2, codesPerAddress: 0 };
const logger = createLogger({ service: 'test', level: 'error' });

/** Two gateways' throttles over one shared Redis count the same attempts. */
function shared(name: string, url: () => Promise<string>, stop: () => Promise<void> = async () => undefined): void {
  describe(`throttles over ${name}`, () => {
    const connections: RedisConnections[] = [];

    after(async () => {
      for (const c of connections) c.close();
      await stop();
    });

    test('concurrent attempts on two gateways get exactly the budget through; refunds and resets count everywhere', async () => {
      const target = parseRedisUrl(await url(), false);
      const prefix = `im-throttle-test-${process.pid}-${Date.now()}:`;
      const [one, two] = [connectRedis(target, logger), connectRedis(target, logger)];
      connections.push(one, two);
      await Promise.all([one.connect(), two.connect()]);
      const t1 = createThrottles(settings, { redis: one.redis, prefix });
      const t2 = createThrottles(settings, { redis: two.redis, prefix });
      const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => (i % 2 ? t1 : t2).loginAccount.take('acct')));
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 3);
      const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      assert.ok(refused.reason instanceof AppError && refused.reason.code === 'rate_limited' && refused.reason.retryAfter! >= 1);
      await t1.loginAccount.reset('acct');
      await t2.loginAccount.take('acct');
      await t1.register.take('1.2.3.4');
      await t2.register.take('1.2.3.4');
      await t2.register.refund('1.2.3.4');
      await t1.register.take('1.2.3.4');
      await assert.rejects(t2.register.take('1.2.3.4'), (e: AppError) => e.code === 'rate_limited');
      // Nothing left behind in a shared Redis.
      await t1.loginAccount.reset('acct');
      await t1.register.reset('1.2.3.4');
    });
  });
}

shared('a standalone Redis', async () => {
  const url = await testRedisUrl();
  assert.ok(url, 'this suite needs Redis (127.0.0.1:6379 or TEST_REDIS_URL)');
  return url;
});

let cluster: RedisCluster | undefined;
shared(
  'a Redis Cluster',
  async () => (cluster = await startRedisCluster()).url,
  async () => cluster?.stop(),
);
