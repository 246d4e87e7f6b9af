import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { getPriority } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createDatabase, freePort, spawnService, testPostgres, type PostgresServer, type ServiceProcess, type TestDatabase } from '@im/devkit';
import { RelayParams, type RelayResults } from '@im/protocol';
import { RpcClient } from '@im/rpc';

const ENTRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../main.js');
const TOKEN = 'relay-test-internal-token';

interface Relay {
  db: TestDatabase;
  process: ServiceProcess;
  rpc: RpcClient<typeof RelayParams, RelayResults>;
  sql: pg.Pool;
}

/** Stores go to the search queue; the indexer moves them under the key index; searches read both. */
describe('search indexing off the ack path', () => {
  let server: PostgresServer;
  let queued: Relay;
  let indexing: Relay;

  const start = async (env: Record<string, string>): Promise<Relay> => {
    const db = await createDatabase(server, 'relay_index');
    const process = await spawnService({ name: 'relay', entry: ENTRY, port: await freePort(), env: { DATABASE_URL: db.url, INTERNAL_TOKEN: TOKEN, LOG_LEVEL: 'warn', ...env } });
    return { db, process, rpc: new RpcClient({ url: process.url, token: TOKEN, service: 'relay' }), sql: new pg.Pool({ connectionString: db.url, max: 1 }) };
  };

  before(async () => {
    server = await testPostgres();
    // One relay that runs no indexer, so documents stay queued.
    queued = await start({ SEARCH_INDEXER: 'off' });
    indexing = await start({ SEARCH_INDEX_INTERVAL: '20', SEARCH_QUEUE_VACUUM_EVERY: '20' });
  });

  after(async () => {
    for (const r of [queued, indexing]) {
      if (!r) continue;
      r.rpc.close();
      await r.sql.end();
      await r.process.stop();
      await r.db.drop();
    }
    if (server?.embedded) await server.stop();
  });

  const text = (r: Relay, conversation_id: string, cid: string, content: string) =>
    r.rpc.call('relay.storeEvent', { conversation_id, sender_id: 'u-a', cid, content, kind: 1, tags: [] });
  const edit = (r: Relay, conversation_id: string, target: string, content: string, cid: string) =>
    r.rpc.call('relay.storeEvent', { conversation_id, sender_id: 'u-a', cid, content, kind: 7, tags: [['e', target]] });
  const revoke = (r: Relay, conversation_id: string, target: string, cid: string) =>
    r.rpc.call('relay.storeEvent', { conversation_id, sender_id: 'u-a', cid, content: '', kind: 5, tags: [['e', target]] });
  const find = async (r: Relay, query: string, conversation_id = 'c-1') =>
    (await r.rpc.call('relay.searchEvents', { user_id: 'u-b', query, conversations: [{ conversation_id, join_seq: 0 }], limit: 20 })).events.map((e) => e.content);
  const metric = async (r: Relay, name: string) =>
    Number(new RegExp(`^${name}(?:{[^}]*})? (\\d+)$`, 'm').exec(await (await fetch(`${r.process.url}/metrics`)).text())?.[1] ?? NaN);
  const indexedTotal = (r: Relay) => metric(r, 'relay_search_indexed_total');
  const count = async (r: Relay, table: 'search_queue' | 'search_docs') => Number((await r.sql.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

  test('queued documents are found at once, and edits and revokes apply to them', async () => {
    await text(queued, 'c-1', 'q1', 'the harbour at dawn');
    const { event } = await text(queued, 'c-1', 'q2', 'a typo in teh harbour note');
    const gone = await text(queued, 'c-1', 'q3', 'harbour secret');
    assert.equal(await count(queued, 'search_queue'), 3);
    // What operators watch to see the indexer fall behind.
    assert.equal(await metric(queued, 'relay_search_queue_length'), 3);
    assert.deepEqual(await find(queued, 'harbour'), ['harbour secret', 'a typo in teh harbour note', 'the harbour at dawn']);
    assert.deepEqual(await find(queued, 'ha'), ['harbour secret', 'a typo in teh harbour note', 'the harbour at dawn']);
    await edit(queued, 'c-1', event.id, 'a fixed harbour note', 'q4');
    await revoke(queued, 'c-1', gone.event.id, 'q5');
    assert.deepEqual(await find(queued, 'harbour'), ['a fixed harbour note', 'the harbour at dawn']);
    assert.deepEqual(await find(queued, 'teh'), []);
    assert.equal(await count(queued, 'search_docs'), 0);
  });

  test('the indexer empties the queue; indexed documents are found, edited and revoked alike', async () => {
    const stored = [];
    for (let i = 0; i < 50; i++) stored.push((await text(indexing, `c-${i % 3}`, `i${i}`, `lighthouse keeper ${i}`)).event);
    for (let i = 0; i < 200 && (await count(indexing, 'search_queue')) > 0; i++) await sleep(50);
    assert.equal(await count(indexing, 'search_queue'), 0);
    assert.equal(await count(indexing, 'search_docs'), 50);
    // Merged into the key index right after each round, not left in its pending list (which
    // every probe reads whole): once the relay counts all 50 indexed (it counts a round after
    // its merge), a merge finds no pending page to take.
    for (let i = 0; i < 100 && (await indexedTotal(indexing)) < 50; i++) await sleep(50);
    assert.equal(await indexedTotal(indexing), 50);
    assert.equal(Number((await indexing.sql.query("SELECT gin_clean_pending_list('search_docs_grams') AS n")).rows[0].n), 0);
    assert.equal((await find(indexing, 'lighthouse', 'c-1')).length, 17);
    const target = stored.find((e) => e.conversation_id === 'c-1')!;
    await edit(indexing, 'c-1', target.id, 'a lamp room', 'i-edit');
    assert.deepEqual(await find(indexing, 'lamp room', 'c-1'), ['a lamp room']);
    await revoke(indexing, 'c-1', target.id, 'i-revoke');
    assert.deepEqual(await find(indexing, 'lamp room', 'c-1'), []);
    assert.equal((await find(indexing, 'lighthouse', 'c-1')).length, 16);
  });

  test('an edit while the indexer holds the old text queues the event again, so the old text is never found', async () => {
    const { event } = await text(queued, 'c-race', 'r1', 'the launch is on tuesday');
    // What the indexer does: claim the queued event and read its text, in one transaction.
    const indexer = await queued.sql.connect();
    try {
      await indexer.query('BEGIN');
      const claimed = await indexer.query("SELECT seq FROM search_queue WHERE conversation_id = 'c-race' FOR UPDATE SKIP LOCKED");
      assert.equal(claimed.rowCount, 1);
      const editing = edit(queued, 'c-race', event.id, 'the launch moved to friday', 'r2');
      await sleep(300);
      // ...then it writes the document of the text it read and takes the event off the queue.
      await indexer.query("DELETE FROM search_queue WHERE conversation_id = 'c-race'");
      await indexer.query('COMMIT');
      await editing;
    } finally {
      indexer.release();
    }
    assert.equal(Number((await queued.sql.query("SELECT count(*) AS n FROM search_queue WHERE conversation_id = 'c-race'")).rows[0].n), 1);
    assert.deepEqual(await find(queued, 'friday', 'c-race'), ['the launch moved to friday']);
    assert.deepEqual(await find(queued, 'tuesday', 'c-race'), []);
  });

  test('a revoke while the indexer holds the event (after an edit) waits for it, never deadlocks with it', async () => {
    const { event } = await text(queued, 'c-revoke-race', 'rr1', 'the vault code is 1234');
    // Indexed once before, then edited: the document exists and the event is queued again.
    await queued.sql.query(
      "INSERT INTO search_docs (conversation_id, seq, sender_id, kind, created_at, body, grams) VALUES ('c-revoke-race', $1, 'u-a', 1, $2, 'the vault code is 1234', '{1}')",
      [event.seq, event.created_at],
    );
    const indexer = await queued.sql.connect();
    try {
      await indexer.query('BEGIN');
      // An indexer that had to wait for a row lock here would be waiting on the revoke.
      await indexer.query("SET LOCAL lock_timeout = '250ms'");
      const claimed = await indexer.query("SELECT seq FROM search_queue WHERE conversation_id = 'c-revoke-race' FOR UPDATE SKIP LOCKED");
      assert.equal(claimed.rowCount, 1);
      const revoking = revoke(queued, 'c-revoke-race', event.id, 'rr2');
      await sleep(300);
      // The indexer rewrites the document of the text it read, then takes the event off the queue.
      await indexer.query("UPDATE search_docs SET body = 'the vault code is 1234' WHERE conversation_id = 'c-revoke-race'");
      await indexer.query("DELETE FROM search_queue WHERE conversation_id = 'c-revoke-race'");
      await indexer.query('COMMIT');
      await revoking;
    } finally {
      // After a failure, no open transaction goes back to the pool with the connection.
      await indexer.query('ROLLBACK').catch(() => undefined);
      indexer.release();
    }
    // The revoke went on after the indexer: its document is gone and the event queued again.
    assert.equal(Number((await queued.sql.query("SELECT count(*) AS n FROM search_docs WHERE conversation_id = 'c-revoke-race'")).rows[0].n), 0);
    assert.equal(Number((await queued.sql.query("SELECT count(*) AS n FROM search_queue WHERE conversation_id = 'c-revoke-race'")).rows[0].n), 1);
    assert.deepEqual(await find(queued, 'vault', 'c-revoke-race'), []);
  });

  const drained = async (r: Relay) => {
    for (let i = 0; i < 200 && (await count(r, 'search_queue')) > 0; i++) await sleep(50);
    assert.equal(await count(r, 'search_queue'), 0);
  };

  test("a reader's reach is the same on indexed documents as on queued ones: join point, hidden events, sender, kinds, time bounds, cursor", async () => {
    for (const r of [queued, indexing]) {
      const conv = r === queued ? 'c-reach-q' : 'c-reach-i';
      const send = (sender_id: string, cid: string, content: string, kind = 1, tags: string[][] = []) =>
        r.rpc.call('relay.storeEvent', { conversation_id: conv, sender_id, cid: `${conv}-${cid}`, content, kind, tags });
      const e1 = (await send('u-a', 'x1', 'reach one')).event;
      await send('u-c', 'x2', 'reach two');
      await send('u-a', 'x3', 'reach file', 3, [['url', 'https://files.example/a.pdf'], ['m', 'application/pdf'], ['size', '10'], ['name', 'plan.pdf']]);
      const e4 = (await send('u-a', 'x4', 'reach four')).event;
      const e5 = (await send('u-a', 'x5', 'reach five')).event;
      await r.rpc.call('relay.hideEvent', { user_id: 'u-b', conversation_id: conv, seq: e4.seq });
      if (r === indexing) await drained(r);
      else assert.equal(await count(r, 'search_docs'), 0);
      const search = async (filters: Record<string, unknown>, join_seq = 0, user_id = 'u-b') =>
        (await r.rpc.call('relay.searchEvents', { user_id, query: 'reach', conversations: [{ conversation_id: conv, join_seq }], limit: 20, ...filters })).events.map((e) => e.content);
      assert.deepEqual(await search({}), ['reach five', 'reach file', 'reach two', 'reach one'], r === queued ? 'queued' : 'indexed');
      // Hidden for u-b only.
      assert.deepEqual(await search({}, 0, 'u-c'), ['reach five', 'reach four', 'reach file', 'reach two', 'reach one']);
      assert.deepEqual(await search({}, 2), ['reach five', 'reach file']);
      assert.deepEqual(await search({ sender_id: 'u-c' }), ['reach two']);
      assert.deepEqual(await search({ kinds: [3] }), ['reach file']);
      assert.deepEqual(await search({ kinds: [1], sender_id: 'u-a' }), ['reach five', 'reach one']);
      assert.deepEqual(await search({ after: e1.created_at, before: e5.created_at }), ['reach file', 'reach two']);
      // A file is found by its name too.
      assert.deepEqual(
        (await r.rpc.call('relay.searchEvents', { user_id: 'u-b', query: 'plan.pdf', conversations: [{ conversation_id: conv, join_seq: 0 }], limit: 20 })).events.map((e) => e.seq),
        [3],
      );
      const first = await r.rpc.call('relay.searchEvents', { user_id: 'u-b', query: 'reach', conversations: [{ conversation_id: conv, join_seq: 0 }], limit: 2 });
      assert.deepEqual(first.events.map((e) => e.content), ['reach five', 'reach file']);
      const second = await r.rpc.call('relay.searchEvents', { user_id: 'u-b', query: 'reach', conversations: [{ conversation_id: conv, join_seq: 0 }], limit: 2, cursor: first.next_cursor! });
      assert.deepEqual(second.events.map((e) => e.content), ['reach two', 'reach one']);
      const third = second.next_cursor
        ? await r.rpc.call('relay.searchEvents', { user_id: 'u-b', query: 'reach', conversations: [{ conversation_id: conv, join_seq: 0 }], limit: 2, cursor: second.next_cursor })
        : { events: [], next_cursor: null };
      assert.deepEqual([third.events, third.next_cursor], [[], null]);
    }
  });

  test('edits racing the indexer leave every document in its event\'s current text', async () => {
    // Each text is edited twice while the indexer (every 20 ms) may be claiming it: whatever
    // the interleaving, once the queue is empty the index holds the last edit only.
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; i < 25; i++) {
        const { event } = await text(indexing, `c-churn-${w}`, `churn-${w}-${i}`, `draft alpha ${i}`);
        await edit(indexing, `c-churn-${w}`, event.id, `second beta ${i}`, `churn-${w}-${i}-e1`);
        await edit(indexing, `c-churn-${w}`, event.id, `final omega ${i}`, `churn-${w}-${i}-e2`);
      }
    });
    await Promise.all(writers);
    await drained(indexing);
    const stale = await indexing.sql.query(
      "SELECT d.conversation_id, d.seq, d.body FROM search_docs d WHERE d.conversation_id LIKE 'c-churn-%' AND d.body NOT LIKE 'final omega %'",
    );
    assert.deepEqual(stale.rows, []);
    assert.equal(Number((await indexing.sql.query("SELECT count(*) AS n FROM search_docs WHERE conversation_id LIKE 'c-churn-%'")).rows[0].n), 100);
    for (let w = 0; w < 4; w++) {
      assert.equal((await find(indexing, 'omega', `c-churn-${w}`)).length, 20);
      assert.deepEqual(await find(indexing, 'alpha', `c-churn-${w}`), []);
      assert.deepEqual(await find(indexing, 'beta', `c-churn-${w}`), []);
    }
  });

  test('indexed text is found by queries across spaces, and by one whose every run holds a space (no keys: the recent window)', async () => {
    await text(indexing, 'c-space', 's1', 'the harbour at dawn');
    await text(indexing, 'c-space', 's2', 'nothing here');
    await drained(indexing);
    assert.deepEqual(await find(indexing, 'our at da', 'c-space'), ['the harbour at dawn']);
    assert.deepEqual(await find(indexing, 'r a', 'c-space'), ['the harbour at dawn']);
    assert.deepEqual(await find(indexing, 'g h', 'c-space'), ['nothing here']);
    assert.deepEqual(await find(indexing, 'x y', 'c-space'), []);
  });

  test('the indexer works on a database session of its own, and only where it is enabled', async () => {
    const sessions = async (r: Relay) =>
      Number((await r.sql.query("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'relay-indexer'")).rows[0].n);
    assert.equal(await sessions(indexing), 1);
    assert.equal(await sessions(queued), 0);
  });

  test("the indexer's thread and its database session run at a lower CPU priority; the store path's keep theirs", async () => {
    // On Linux a thread id names the thread alone to getPriority. The relay inherits this
    // runner's level; the test database runs on this machine (TEST_POSTGRES_URL elsewhere
    // would not have its sessions lowered, by design).
    const threads = (r: Relay) => readdirSync(`/proc/${r.process.child.pid}/task`).map((tid) => getPriority(Number(tid)));
    const own = getPriority();
    const sessions = async (r: Relay) =>
      (await r.sql.query<{ pid: number; app: string }>("SELECT pid, application_name AS app FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'relay%'")).rows.map((b) => ({
        app: b.app,
        nice: getPriority(b.pid),
      }));
    assert.deepEqual(threads(indexing).filter((n) => n !== own), [19]);
    assert.equal(getPriority(indexing.process.child.pid!), own);
    assert.deepEqual(threads(queued).filter((n) => n !== own), []);
    // The store path's pool keeps its sessions open between stores.
    await text(indexing, 'c-nice', 'n1', 'priorities');
    const lowered = await sessions(indexing);
    assert.deepEqual(lowered.filter((b) => b.app === 'relay-indexer').map((b) => b.nice), [19]);
    assert.ok(lowered.some((b) => b.app === 'relay'));
    assert.ok(lowered.every((b) => b.app === 'relay-indexer' || b.nice < 19));
    assert.deepEqual((await sessions(queued)).filter((b) => b.app === 'relay-indexer'), []);
  });

  test('the indexer vacuums the queue it empties, so claims never walk rows it took off long ago', async () => {
    const vacuums = async (r: Relay) => Number((await r.sql.query("SELECT vacuum_count AS n FROM pg_stat_user_tables WHERE relname = 'search_queue'")).rows[0].n);
    for (let i = 0; i < 30; i++) await text(indexing, 'c-vac', `v${i}`, `vacuum test ${i}`);
    await drained(indexing);
    for (let i = 0; i < 100 && (await vacuums(indexing)) === 0; i++) await sleep(50);
    assert.ok((await vacuums(indexing)) >= 1);
    assert.equal(await vacuums(queued), 0);
  });

  test('search tables emptied as a crash empties them are rebuilt from the events', async () => {
    await text(indexing, 'c-crash', 'x1', 'the granary by the river');
    await text(indexing, 'c-crash', 'x2', 'granary keys are with anna');
    const gone = await text(indexing, 'c-crash', 'x3', 'granary door code');
    await revoke(indexing, 'c-crash', gone.event.id, 'x4');
    await drained(indexing);
    const persistence = await indexing.sql.query(
      "SELECT relname, relpersistence FROM pg_class WHERE relname IN ('search_docs', 'search_queue', 'search_index_present', 'search_docs_grams') ORDER BY relname",
    );
    assert.deepEqual(
      persistence.rows.map((r) => [r.relname, r.relpersistence]),
      [['search_docs', 'u'], ['search_docs_grams', 'u'], ['search_index_present', 'u'], ['search_queue', 'u']],
    );
    const before = await count(indexing, 'search_docs');
    // Crash recovery resets every unlogged table to empty; a promoted standby starts so.
    await indexing.sql.query('TRUNCATE search_docs, search_queue, search_index_present');
    for (let i = 0; i < 100 && (await count(indexing, 'search_docs')) < before; i++) await sleep(50);
    await drained(indexing);
    assert.equal(await count(indexing, 'search_docs'), before);
    assert.deepEqual(await find(indexing, 'granary', 'c-crash'), ['granary keys are with anna', 'the granary by the river']);
    assert.equal(Number((await indexing.sql.query('SELECT count(*) AS n FROM search_index_present')).rows[0].n), 1);
    // Stores go on as before, and are found.
    await text(indexing, 'c-crash', 'x5', 'granary roof repaired');
    assert.equal((await find(indexing, 'granary', 'c-crash')).length, 3);
  });
});
