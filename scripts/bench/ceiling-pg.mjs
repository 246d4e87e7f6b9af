// The "bare PostgreSQL" ceiling: the relay's own store statement (seq reservation,
// idempotency probe, insert, in one statement), run in a loop with nothing around it.
import { Db, migrate } from '../../packages/db/dist/index.js';
import { createLogger } from '../../packages/kit/dist/index.js';
import { RELAY_DB_SETTINGS } from '../../services/relay/dist/db-settings.js';
import { EventsRepository } from '../../services/relay/dist/events/repository.js';
import { cpuSeconds } from './procstat.mjs';

const logger = createLogger({ service: 'bench', level: 'error' });

/**
 * Statements a second and events a second, `batch` events per statement, `connections` at
 * once; with `pids` (PostgreSQL's processes), also its CPU and this caller's per event.
 */
export async function pgCeiling(url, migrations, { batch, connections, seconds, conversations = 500, pids }) {
  await migrate(url, migrations, logger);
  // The relay's own connection settings: the same plans as in the relay.
  const db = new Db({ url, logger, max: connections, settings: RELAY_DB_SETTINGS });
  const repo = new EventsRepository(db);
  let events = 0;
  let n = 0;
  const deadline = Date.now() + seconds * 1000;
  // Per process, so that a backend leaving during the run does not take its whole life off; one
  // arriving (the pool connects as it goes) is this run's.
  const pgCpu = () => new Map((pids ? pids() : []).map((p) => [p, cpuSeconds(p)]));
  const cpuBefore = pgCpu();
  // Fresh ids on every run against the same database: a repeated (sender, cid) would only be a duplicate.
  const run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const callerBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: connections }, async (_, lane) => {
      while (Date.now() < deadline) {
        const items = Array.from({ length: batch }, () => {
          const k = n++;
          // Conversations of a lane never overlap another lane's: no lock waits, as in the relay.
          return { sender_id: `u${k % 1000}`, conversation_id: `c${lane}-${k % conversations}`, kind: 1, content: `${k}|`.padEnd(100, 'x'), tags: [], cid: `pg-${run}-${k}` };
        });
        await repo.storePlain(items, Date.now());
        events += batch;
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  let used = 0;
  for (const [p, cpu] of pgCpu()) used += cpu - (cpuBefore.get(p) ?? 0);
  const pgUs = (1e6 * used) / events;
  const caller = process.cpuUsage(callerBefore);
  await db.close();
  return { eventsPerSecond: events / elapsed, statementsPerSecond: events / batch / elapsed, pgCpuUsPerEvent: pgUs, callerCpuUsPerEvent: (caller.user + caller.system) / events };
}
