import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Db, ensureDatabase, migrate } from '@im/db';
import { createLogger, createRegistry, fatal, prom } from '@im/kit';
import { RelayParams, type RelayResults } from '@im/protocol';
import { loadOrExit, serveRpc } from '@im/rpc';
import { RELAY_DB_SETTINGS } from './db-settings.js';
import { loadConfig } from './config.js';
import { EventsRepository } from './events/repository.js';
import { EventsService } from './events/service.js';
import { Targets } from './events/targets.js';
import { relayHandlers } from './rpc/handlers.js';
import { IndexerThread } from './search/indexer-thread.js';
import { QUEUED_MAX, SearchRepository } from './search/repository.js';
import { SearchService } from './search/service.js';

const MIGRATIONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../migrations');

/** How far the relay_search_queue_length gauge counts (a scrape reads at most that many rows). */
const QUEUE_GAUGE_CAP = 1_000_000;

async function main(): Promise<void> {
  const config = loadOrExit('relay', () => loadConfig());
  const logger = createLogger({ service: 'relay', level: config.logLevel });

  await ensureDatabase(config.databaseUrl, logger);
  await migrate(config.databaseUrl, MIGRATIONS, logger);
  const db = new Db({
    url: config.databaseUrl,
    logger,
    max: config.databasePoolSize,
    applicationName: 'relay',
    settings: RELAY_DB_SETTINGS,
  });
  // Statistics from the start and as tables grow, whether or not autovacuum runs.
  await db.analyze();
  const stopAnalyzing = db.analyzeEvery(3600_000);

  const registry = createRegistry('relay');
  const batchSize = new prom.Histogram({
    name: 'relay_commit_batch_size',
    help: 'Events written per store transaction',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers: [registry],
  });
  const repository = new EventsRepository(db);
  const targets = new Targets(repository, { revokeMs: config.revokeWindowMs, editMs: config.editWindowMs, maxEventBytes: config.maxEventBytes });
  const events = new EventsService(db, repository, targets, {
    maxBatch: config.commitBatchMax,
    concurrency: config.commitConcurrency,
    onBatch: (n) => batchSize.observe(n),
  });

  const searchRepository = new SearchRepository(db);
  const indexed = new prom.Counter({ name: 'relay_search_indexed_total', help: 'Search documents moved under the key index', registers: [registry] });
  let queueLength = 0;
  new prom.Gauge({
    name: 'relay_search_queue_length',
    help: `Stored events waiting for the search indexer, in the queue all relays share (counted up to ${QUEUE_GAUGE_CAP}; a search compares at most ${QUEUED_MAX} of them directly)`,
    registers: [registry],
    async collect() {
      // Without a prompt answer the last figure stays: /metrics must answer all the same.
      const counted = searchRepository.queueLength(QUEUE_GAUGE_CAP).catch(() => queueLength);
      queueLength = await Promise.race([counted, new Promise<number>((r) => setTimeout(() => r(queueLength), 1000).unref())]);
      this.set(queueLength);
    },
  });
  const { enabled, nice, ...indexOptions } = config.searchIndex;
  const indexer = new IndexerThread({ databaseUrl: config.databaseUrl, logLevel: config.logLevel, nice, options: indexOptions }, logger, (n) => indexed.inc(n), () => events.waiting);
  if (enabled) indexer.start();

  await serveRpc<typeof RelayParams, RelayResults>({
    logger,
    registry,
    port: config.port,
    host: config.host,
    token: config.internalToken,
    schemas: RelayParams,
    handlers: relayHandlers(events, new SearchService(db, searchRepository, repository)),
    checks: { database: () => db.ping() },
    // In-flight requests finish (and their transactions commit) before the pool closes.
    onStop: async () => {
      await indexer.stop();
      stopAnalyzing();
      await db.close();
    },
  });
}

main().catch((err) => fatal(createLogger({ service: 'relay' }), 'startup failed', err));
