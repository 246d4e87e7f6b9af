import { parentPort, workerData } from 'node:worker_threads';
import { Db, socketOf, type DbConnection } from '@im/db';
import { createLogger, errorFields } from '@im/kit';
import { RELAY_DB_SETTINGS } from '../db-settings.js';
import { SearchIndexer, type IndexerOptions } from './indexer.js';
import { lowerSessionPriority, lowerThreadPriority, type Lowered } from './priority.js';
import { SearchRepository } from './repository.js';

/** What the relay hands its indexer thread. */
export interface IndexerWorkerData {
  databaseUrl: string;
  logLevel: string;
  /** The nice level for the thread and its database session (0: left as they are). */
  nice: number;
  options: Omit<IndexerOptions, 'onMoved' | 'busy'>;
  /** One Int32 the relay keeps set to the number of stores waiting for a commit slot. */
  backlog: SharedArrayBuffer;
}

/** Messages from the indexer thread to the relay. */
export type IndexerMessage = { type: 'moved'; n: number };

const port = parentPort!;
const data = workerData as IndexerWorkerData;

const logger = createLogger({ service: 'relay', level: data.logLevel });
const db = new Db({
  url: data.databaseUrl,
  logger,
  max: 1,
  applicationName: 'relay-indexer',
  // The indexer's commits need not wait for the disk: a transaction lost in a crash takes
  // its queue deletions with it (and the search tables are unlogged: a crash empties them
  // and they are rebuilt), and nothing waits on them.
  settings: { ...RELAY_DB_SETTINGS, synchronous_commit: 'off' },
  onConnect: lowerPriorities(data.nice),
});
const backlog = new Int32Array(data.backlog);
const indexer = new SearchIndexer(db, new SearchRepository(db), logger, {
  ...data.options,
  busy: () => Atomics.load(backlog, 0) > 0,
  onMoved: (n) => port.postMessage({ type: 'moved', n } satisfies IndexerMessage),
});
indexer.start();

port.on('message', (m: { type: 'stop' }) => {
  if (m.type !== 'stop') return;
  void (async () => {
    await indexer.stop();
    await db.close();
    port.close();
  })();
});

/**
 * Indexing takes only the CPU the ack path leaves: this thread, and each database session
 * it opens where that session's server process is on this machine, run at `nice`. Where a
 * priority cannot be lowered indexing runs all the same, at the normal one.
 */
function lowerPriorities(nice: number): ((client: DbConnection) => Promise<void>) | undefined {
  if (nice === 0) return undefined;
  const said = (what: string, r: Lowered) =>
    r.lowered ? logger.info(`the search indexer's ${what} runs at a lower CPU priority`, { nice }) : logger.info(`the search indexer's ${what} keeps its CPU priority`, { why: r.why });
  said('thread', lowerThreadPriority(nice));
  // Every new session is lowered; what came of it is logged when it differs from the last.
  let last: string | undefined;
  return async (client) => {
    try {
      const { rows } = await client.query<{ pid: number; client_addr: string | null; client_port: number | null; server_addr: string | null }>(
        'SELECT pg_backend_pid() AS pid, host(inet_client_addr()) AS client_addr, inet_client_port() AS client_port, host(inet_server_addr()) AS server_addr',
      );
      const s = rows[0]!;
      const r = lowerSessionPriority({ pid: s.pid, serverSeenAddress: s.client_addr, serverSeenPort: s.client_port, serverAddress: s.server_addr, socket: socketOf(client) }, nice);
      const outcome = r.lowered ? 'lowered' : r.why;
      if (outcome !== last) said('database session', r);
      last = outcome;
    } catch (err) {
      logger.warn("could not look up the search indexer's database session; it keeps its CPU priority", errorFields(err));
    }
  };
}
