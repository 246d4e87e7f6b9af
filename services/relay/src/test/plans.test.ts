import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { Db, migrate } from '@im/db';
import { createDatabase, testPostgres, type PostgresServer, type TestDatabase } from '@im/devkit';
import { createLogger } from '@im/kit';
import { RELAY_DB_SETTINGS } from '../db-settings.js';
import { STORE_ONE, STORE_PLAIN } from '../events/repository.js';

const MIGRATIONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');
const logger = createLogger({ service: 'test', level: 'error' });

let pg: PostgresServer;
let database: TestDatabase;
let db: Db;

before(async () => {
  pg = await testPostgres();
  database = await createDatabase(pg, 'plans');
  await migrate(database.url, MIGRATIONS, logger);
  db = new Db({ url: database.url, logger });
  // 20,000 events in 200 conversations, and never analysed: the state the store path must
  // plan well in without statistics (this PostgreSQL runs without autovacuum).
  await db.query(
    `INSERT INTO events (conversation_id, seq, id, sender_id, kind, content, tags, cid, created_at)
     SELECT 'c' || (g % 200), g / 200 + 1, md5(g::text) || md5((g + 1)::text), 'u' || (g % 50), 1, 'x', '[]', 'k' || g, g FROM generate_series(0, 19999) g`,
  );
  await db.query(`INSERT INTO event_cids (sender_id, cid, conversation_id, seq, id, created_at) SELECT sender_id, cid, conversation_id, seq, id, created_at FROM events`);
  await db.query(`INSERT INTO event_ids (id, conversation_id, seq) SELECT id, conversation_id, seq FROM events`);
  await db.query(`INSERT INTO conversation_seqs (conversation_id, max_seq, last_event_at) SELECT 'c' || g, 100, 0 FROM generate_series(0, 199) g`);
});

after(async () => {
  await db?.close();
  await database?.drop();
  if (pg?.embedded) await pg.stop();
});

/** The generic plan of a statement, as the relay's connections run it (one plan for any batch). */
async function genericPlan(text: string, types: string[], on: Db = db): Promise<string> {
  const client = await on.pool.connect();
  try {
    await client.query('SET plan_cache_mode = force_generic_plan');
    for (const [name, value] of Object.entries(RELAY_DB_SETTINGS)) await client.query(`SET ${name} = ${value}`);
    await client.query(`PREPARE probe (${types.join(', ')}) AS ${text}`);
    const args = types.map((t) => (t.endsWith('[]') ? `ARRAY[]::${t}` : t === 'bigint' || t === 'int' ? '0' : `''`));
    const rows = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE probe(${args.join(', ')})`);
    await client.query('DEALLOCATE probe');
    return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
  } finally {
    client.release();
  }
}

test('the store statement probes the idempotency index and never scans the events table', async () => {
  const plan = await genericPlan(STORE_PLAIN.text, ['text[]', 'text[]', 'int[]', 'text[]', 'text[]', 'text[]', 'text[]', 'text[]', 'text[]', 'int[]', 'bigint', 'text[]']);
  assert.match(plan, /event_cids_pkey/, plan);
  assert.doesNotMatch(plan, /Seq Scan on (events|event_cids|event_ids)/, plan);
  assert.match(plan, /conversation_seqs/, plan);
  // Reading partitions in a generic plan sets all sixteen up on every run: the statement reads none.
  assert.doesNotMatch(plan, /Scan[^\n]* on events_p/, plan);
});

const STORE_ONE_TYPES = ['text', 'text', 'int', 'text', 'text', 'text', 'text', 'text', 'text', 'bigint', 'text'];

test('the one-event store statement probes the idempotency index and reads no events partition', async () => {
  const plan = await genericPlan(STORE_ONE.text, STORE_ONE_TYPES);
  assert.match(plan, /Index Scan using event_cids_pkey on event_cids/, plan);
  assert.doesNotMatch(plan, /Seq Scan on (events|event_cids|event_ids|conversation_seqs)/, plan);
  assert.doesNotMatch(plan, /Scan[^\n]* on events_p/, plan);
});

const STORE_TYPES = ['text[]', 'text[]', 'int[]', 'text[]', 'text[]', 'text[]', 'text[]', 'text[]', 'text[]', 'int[]', 'bigint', 'text[]'];

test('planned on a fresh database, analysed while empty, the store statement still probes the idempotency index', async () => {
  // What a relay meets at its first start: migrations, ANALYZE of empty tables, then the
  // store statement prepared once per connection and kept while the tables grow.
  const fresh = await createDatabase(pg, 'plans_fresh');
  const freshDb = new Db({ url: fresh.url, logger });
  try {
    await migrate(fresh.url, MIGRATIONS, logger);
    await freshDb.analyze();
    for (const [text, types] of [[STORE_PLAIN.text, STORE_TYPES], [STORE_ONE.text, STORE_ONE_TYPES]] as const) {
      const plan = await genericPlan(text, [...types], freshDb);
      assert.match(plan, /Index Scan using event_cids_pkey on event_cids/, plan);
      assert.doesNotMatch(plan, /Seq Scan on (events|event_cids|event_ids|conversation_seqs)/, plan);
    }
  } finally {
    await freshDb.close();
    await fresh.drop();
  }
});
