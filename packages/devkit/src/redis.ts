import { Redis } from 'ioredis';

export const LOCAL_REDIS = 'redis://127.0.0.1:6379';

/** The Redis for tests when one answers (`TEST_REDIS_URL` or 127.0.0.1:6379), else undefined. */
export async function testRedisUrl(): Promise<string | undefined> {
  const url = process.env.TEST_REDIS_URL ?? LOCAL_REDIS;
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return url;
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}
