import { z } from 'zod';
import { cfg, readConfig, serviceFields, serviceSettings, type Env } from '@im/kit';

const schema = z.object({
  ...serviceFields(8082),
  DATABASE_URL: z.string().min(1, 'is required'),
  DATABASE_POOL_SIZE: cfg.int(10, 2, 200),
  INTERNAL_TOKEN: cfg.secret(),
  /** Most events committed in one transaction. */
  COMMIT_BATCH_MAX: cfg.int(500, 1, 10000),
  /** Store transactions in flight at once. */
  COMMIT_CONCURRENCY: cfg.int(4, 1, 32),
  /** Seconds after sending within which a message may be revoked, and edited. */
  REVOKE_WINDOW: cfg.int(120, 1),
  EDIT_WINDOW: cfg.int(24 * 3600, 1),
  /** Most bytes a stored event may encode to (4 × the gateways' MAX_FRAME_BYTES). */
  MAX_EVENT_BYTES: cfg.int(4 * 65536, 4096, 64 * 1024 * 1024),
  /** Milliseconds between search indexing rounds while nothing is queued; documents per round. */
  SEARCH_INDEX_INTERVAL: cfg.int(200, 10, 60000),
  SEARCH_INDEX_BATCH: cfg.int(2000, 1, 100000),
  /** Percent of the time the search indexer may spend writing while events keep coming. */
  SEARCH_INDEX_DUTY: cfg.int(20, 1, 100),
  /** Milliseconds the indexer may put rounds off while stores wait for a commit slot (0: never). */
  SEARCH_INDEX_MAX_DEFER: cfg.int(2000, 0, 600_000),
  /** Queue rows the indexer takes off between two vacuums of the queue. */
  SEARCH_QUEUE_VACUUM_EVERY: cfg.int(100_000, 1),
  /** Whether this relay runs the search indexer (any number may; at least one relay must). */
  SEARCH_INDEXER: cfg.bool(true),
  /** The nice level of the indexer's thread and, on this machine, its database session (0: unchanged). */
  SEARCH_INDEXER_NICE: cfg.int(19, 0, 19),
});

export type RelayConfig = ReturnType<typeof loadConfig>;

export function loadConfig(env: Env = process.env) {
  const c = readConfig(schema, env);
  return {
    ...serviceSettings(c),
    databaseUrl: c.DATABASE_URL,
    databasePoolSize: c.DATABASE_POOL_SIZE,
    internalToken: c.INTERNAL_TOKEN,
    commitBatchMax: c.COMMIT_BATCH_MAX,
    commitConcurrency: c.COMMIT_CONCURRENCY,
    revokeWindowMs: c.REVOKE_WINDOW * 1000,
    editWindowMs: c.EDIT_WINDOW * 1000,
    searchIndex: { enabled: c.SEARCH_INDEXER, intervalMs: c.SEARCH_INDEX_INTERVAL, batch: c.SEARCH_INDEX_BATCH, duty: c.SEARCH_INDEX_DUTY / 100, vacuumEvery: c.SEARCH_QUEUE_VACUUM_EVERY, maxDeferMs: c.SEARCH_INDEX_MAX_DEFER, nice: c.SEARCH_INDEXER_NICE },
    maxEventBytes: c.MAX_EVENT_BYTES,
  };
}
