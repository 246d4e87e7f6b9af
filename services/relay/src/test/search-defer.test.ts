import assert from 'node:assert/strict';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { Db, migrate } from '@im/db';
import { createLogger } from '@im/kit';
import { createDatabase, testPostgres, type PostgresServer, type TestDatabase } from '@im/devkit';
import { SearchIndexer } from '../search/indexer.js';
import { SearchRepository } from '../search/repository.js';

const MIGRATIONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

/** While stores wait for a commit slot the indexer puts its rounds off, for a bounded time. */
describe('search indexer under a saturated store path', () => {
  let pg: PostgresServer;
  let database: TestDatabase;
  let db: Db;
  let indexer: SearchIndexer | undefined;
  const logger = createLogger({ service: 'relay-test', level: 'warn' });

  before(async () => {
    pg = await testPostgres();
    database = await createDatabase(pg, 'relay_defer');
    await migrate(database.url, MIGRATIONS, logger);
    db = new Db({ url: database.url, logger, max: 2 });
  });

  after(async () => {
    await indexer?.stop();
    await db?.close();
    await database?.drop();
    if (pg?.embedded) await pg.stop();
  });

  // Queue rows whose events are gone: the indexer takes them off without writing documents.
  const enqueue = (conversation: string, n: number) =>
    db.query('INSERT INTO search_queue (conversation_id, seq) SELECT $1, s FROM generate_series(1, $2::int) AS s', [conversation, n]);
  const queued = async () => Number((await db.one<{ n: string }>('SELECT count(*) AS n FROM search_queue'))!.n);
  const until = async (done: () => Promise<boolean>, ms: number) => {
    const deadline = performance.now() + ms;
    while (!(await done()) && performance.now() < deadline) await sleep(20);
  };

  test('rounds wait while stores are waiting, at most maxDeferMs; at once when they are not', async () => {
    let busy = true;
    await enqueue('c-first', 5);
    indexer = new SearchIndexer(db, new SearchRepository(db), logger, { intervalMs: 20, batch: 100, duty: 1, vacuumEvery: 1e9, maxDeferMs: 1500, busy: () => busy });
    // The first round starts after this, and the bound counts from its start.
    const startedAt = performance.now();
    indexer.start();
    // The first round is never put off.
    await until(async () => (await queued()) === 0, 5000);
    assert.equal(await queued(), 0);
    await enqueue('c-busy', 5);
    await sleep(300);
    assert.equal(await queued(), 5, 'a round ran while stores were waiting');
    // Taken once the bound has passed: by 1.5 s after the first round, give or take a round.
    await until(async () => (await queued()) === 0, 3000);
    assert.equal(await queued(), 0, 'the lag bound did not hold');
    assert.ok(performance.now() - startedAt >= 1500, 'taken before the bound');
    busy = false;
    await enqueue('c-idle', 5);
    await until(async () => (await queued()) === 0, 2000);
    assert.equal(await queued(), 0);
  });

  test('a role that does not own the key index indexes all the same, warned once that merges wait for 4 MB', async () => {
    await indexer?.stop();
    indexer = undefined;
    const role = `relay_guest_${process.pid}`;
    await db.query(`CREATE ROLE ${role} LOGIN PASSWORD 'guest'`);
    await db.query(`GRANT ALL ON ALL TABLES IN SCHEMA public TO ${role}`);
    const url = new URL(database.url);
    url.username = role;
    url.password = 'guest';
    const guest = new Db({ url: url.toString(), logger, max: 1 });
    const warnings: string[] = [];
    const spy = Object.create(logger) as typeof logger;
    spy.warn = ((message: string) => (warnings.push(message), spy)) as typeof logger.warn;
    const own = new SearchIndexer(guest, new SearchRepository(guest), spy, { intervalMs: 20, batch: 100, duty: 1, vacuumEvery: 1e9, maxDeferMs: 0 });
    try {
      own.start();
      for (const conversation of ['c-guest-1', 'c-guest-2']) {
        await db.query(
          `INSERT INTO events (conversation_id, seq, id, sender_id, kind, content, tags, cid, created_at)
           SELECT $1, s, md5($1 || s), 'u-guest', 1, 'lantern ' || s, '[]', $1 || s, 1700000000000 + s FROM generate_series(1, 3) AS s`,
          [conversation],
        );
        await enqueue(conversation, 3);
        await until(async () => (await queued()) === 0, 5000);
        assert.equal(await queued(), 0);
      }
      assert.deepEqual(warnings.map((w) => w.split(':')[0]), ['the relay does not own the search key index']);
      assert.equal(Number((await db.one<{ n: string }>("SELECT count(*) AS n FROM search_docs WHERE conversation_id LIKE 'c-guest-%'"))!.n), 6);
    } finally {
      await own.stop();
      await guest.close();
      await db.query(`DROP OWNED BY ${role}`);
      await db.query(`DROP ROLE ${role}`);
    }
  });
});
