import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type pg from 'pg';
import { Db, migrate, type Prepared, type Queryable, type Row } from '@im/db';
import { createDatabase, testPostgres, type PostgresServer, type TestDatabase } from '@im/devkit';
import { createLogger } from '@im/kit';
import { EventsRepository } from '../events/repository.js';

const MIGRATIONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');
const logger = createLogger({ service: 'test', level: 'error' });

/** A Db that remembers every statement the repository sends, with its parameters. */
class RecordingDb extends Db {
  recorded: Array<{ text: string; params: unknown[] }> = [];

  override async query<R extends object = Row>(statement: string | Prepared, params: unknown[] = [], client?: Queryable): Promise<pg.QueryResult<R & Row>> {
    this.recorded.push({ text: typeof statement === 'string' ? statement : statement.text, params });
    return super.query<R>(statement, params, client);
  }
}

interface PlanNode {
  'Relation Name'?: string;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

/** The events partitions a statement actually read or wrote, by running it (rolled back). */
async function partitionsTouched(db: Db, text: string, params: unknown[]): Promise<string[]> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    const r = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, params);
    const touched = new Set<string>();
    const walk = (n: PlanNode) => {
      if (n['Relation Name']?.startsWith('events_p') && (n['Actual Loops'] ?? 0) > 0) touched.add(n['Relation Name']);
      for (const c of n.Plans ?? []) walk(c);
    };
    walk(r.rows[0]!['QUERY PLAN'][0]!.Plan);
    return [...touched];
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

describe('the events table is partitioned by conversation, and queries naming one read one partition', () => {
  let pgServer: PostgresServer;
  let database: TestDatabase;
  let db: RecordingDb;
  let repo: EventsRepository;

  before(async () => {
    pgServer = await testPostgres();
    database = await createDatabase(pgServer, 'partitions');
    await migrate(database.url, MIGRATIONS, logger);
    db = new RecordingDb({ url: database.url, logger });
    repo = new EventsRepository(db);
    // 64 conversations: every one of the 16 partitions holds some.
    for (let c = 0; c < 64; c++) {
      await repo.storePlain(
        Array.from({ length: 5 }, (_, i) => ({ sender_id: `u${i % 2}`, conversation_id: `conv-${c}`, kind: 1, content: `message ${i}`, tags: [], cid: `c${c}-${i}` })),
        Date.now(),
      );
    }
  });

  after(async () => {
    await db?.close();
    await database?.drop();
    if (pgServer?.embedded) await pgServer.stop();
  });

  test('sixteen hash partitions hold the events', async () => {
    const parts = await db.rows<{ n: number }>(`SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'events'::regclass`);
    assert.equal(parts[0]!.n, 16);
    const spread = await db.rows<{ n: number }>(`SELECT count(DISTINCT tableoid)::int AS n FROM events`);
    assert.equal(spread[0]!.n, 16);
  });

  test('every statement of the store and read paths for one conversation touches one partition', async () => {
    const conv = 'conv-7';
    const [first] = await repo.after(conv, 0, 1);
    db.recorded = [];
    const tx = db.pool;
    await repo.storePlain([{ sender_id: 'u9', conversation_id: conv, kind: 1, content: 'fresh', tags: [], cid: 'fresh-1' }], Date.now());
    await repo.storePlain([{ sender_id: 'u0', conversation_id: conv, kind: 1, content: 'again', tags: [], cid: 'c7-0' }], Date.now());
    await repo.after(conv, 0, 50);
    await repo.before(conv, 4, 0, 50);
    await repo.query(conv, { floor: 0, limit: 10 });
    await repo.findByKeys([{ conversation_id: conv, seq: 2 }]);
    await repo.withReactions([first!]);
    await repo.findBySenderCids([{ sender_id: 'u0', cid: 'c7-0' }]);
    await repo.findById(first!.id);
    await repo.findByIds([first!.id]);
    await repo.setCurrentContent(conv, 1, 'edited', Date.now(), tx);
    await repo.addReaction(conv, 1, 'u1', '👍', Date.now(), tx);
    await repo.markRevoked(conv, 2, Date.now(), tx);
    await repo.states('u1', [{ conversation_id: conv, join_seq: 0 }]);
    const statements = db.recorded.filter((r) => /\bevents\b/.test(r.text));
    assert.ok(statements.length >= 12, `${statements.length} statements recorded`);
    for (const s of statements) {
      const touched = await partitionsTouched(db, s.text, s.params);
      assert.ok(touched.length <= 1, `touched ${touched.join(', ')}: ${s.text.replace(/\s+/g, ' ').slice(0, 160)}`);
    }
  });

  test('a (sender, cid) is stored once even when two stores race on it, and the second hears of the first', async () => {
    const item = { sender_id: 'racer', conversation_id: 'conv-race', kind: 1, content: 'once', tags: [], cid: 'race-1' };
    const other = new EventsRepository(new Db({ url: database.url, logger }));
    const outcomes = await Promise.allSettled([repo.storePlain([item], Date.now()), other.storePlain([item], Date.now())]);
    // One wins; the other either saw it (duplicate) or lost the race on event_cids' key, which
    // the service retries into a duplicate answer.
    const won = outcomes.filter((o) => o.status === 'fulfilled' && !o.value[0]!.duplicate);
    assert.equal(won.length, 1);
    for (const o of outcomes) if (o.status === 'rejected') assert.equal((o.reason as { code?: string }).code, '23505');
    const again = await other.storePlain([item], Date.now());
    assert.equal(again[0]!.duplicate, true);
    assert.equal(again[0]!.seq, (won[0] as PromiseFulfilledResult<Array<{ seq: number }>>).value[0]!.seq);
    const rows = await db.rows<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE conversation_id = 'conv-race'`);
    assert.equal(rows[0]!.n, 1);
  });
});
