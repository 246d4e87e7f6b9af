#!/usr/bin/env node
// `make bench-search`: message search over a large event store. Starts its own relay on a
// fresh database, writes BENCH_SEARCH_EVENTS events (default 1,000,000) straight into the
// relay's schema with generate_series (search documents included, as the store statement
// writes them), then times searches through the relay's JSON-RPC endpoint and prints the
// plan of each kind of query with EXPLAIN ANALYZE.
// Options (environment): BENCH_SEARCH_EVENTS (1000000), BENCH_SEARCH_CONVERSATIONS (10000),
// BENCH_SEARCH_MEMBER_OF (200: conversations the searching user reads), BENCH_SEARCH_RUNS (30),
// BENCH_SEARCH_PENDING_DOCS (6000: documents the relay's indexer rewrites before the searches run again).
import crypto from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createDatabase, freePort, spawnService, testPostgres } from '@im/devkit';
import { RpcClient } from '@im/rpc';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { SearchRepository } = await import(path.join(root, 'services/relay/dist/search/repository.js'));
const { conversationHash, grams, keysOf, normalize } = await import(path.join(root, 'services/relay/dist/search/text.js'));

const env = process.env;
const EVENTS = Number(env.BENCH_SEARCH_EVENTS ?? 1_000_000);
const CONVERSATIONS = Number(env.BENCH_SEARCH_CONVERSATIONS ?? 10_000);
const MEMBER_OF = Number(env.BENCH_SEARCH_MEMBER_OF ?? 200);
const RUNS = Number(env.BENCH_SEARCH_RUNS ?? 30);
const PENDING_DOCS = Number(env.BENCH_SEARCH_PENDING_DOCS ?? 6000);
const PER_CONVERSATION = Math.ceil(EVENTS / CONVERSATIONS);

const step = (text) => process.stdout.write(`\n== ${text}\n`);
const progress = (text) => process.stdout.write(`   ${text}\n`);
const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

// A vocabulary with a long tail: the first words are frequent, the last ones rare. Latin
// pseudo-words plus Chinese, Japanese and Korean words, so every script is in the index.
function vocabulary() {
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'to', 'vi', 'ze', 'po', 'da', 'fe', 'gu', 'hi', 'jo', 'bel', 'cor', 'dan', 'mar', 'tis'];
  const words = new Set(['meeting', 'coffee', 'report', 'budget', 'holiday', 'deadline', 'invoice', 'weekend', 'project', 'release']);
  // A fixed sequence of pseudo-random numbers, so every run has the same vocabulary.
  let counter = 0;
  const next = () => crypto.createHash('sha256').update(String(counter++)).digest().readUInt32BE(0);
  while (words.size < 4000) {
    const n = 2 + (next() % 3);
    let w = '';
    for (let i = 0; i < n; i++) w += syllables[next() % syllables.length];
    words.add(w);
  }
  const cjk = ['会议', '咖啡', '报告', '预算', '假期', '项目', '发布', '周末', '会議', 'コーヒー', '報告書', '締め切り', '회의', '커피', '보고서', '주말'];
  return [...words, ...cjk];
}

/** The statement (and parameters) the relay's search repository runs for a query. */
async function statementOf(conversations, query) {
  let captured;
  const capture = new SearchRepository({ rows: async (sql, params) => ((captured = { sql, params }), []) });
  const text = normalize(query);
  const filter = { userId: 'u-bench', conversations, text, limit: 21 };
  const queryGrams = grams(text);
  if (queryGrams.length > 0) await capture.indexed(filter, conversations.map((c) => keysOf(conversationHash(c.conversation_id), queryGrams)));
  else await capture.recent(filter);
  return captured;
}

/** Times each case through relay.searchEvents and as the bare statement; a row per case. */
async function timeCases(rpc, pool, cases, conversations, frequency) {
  const rows = [];
  for (const k of cases) {
    const params = {
      user_id: 'u-bench',
      query: k.query,
      conversations: k.one ? conversations.slice(1, 2) : conversations,
      limit: 20,
    };
    await rpc.call('relay.searchEvents', params);
    const times = [];
    let found = 0;
    for (let i = 0; i < RUNS; i++) {
      const s = performance.now();
      const r = await rpc.call('relay.searchEvents', params);
      times.push(performance.now() - s);
      found = r.events.length;
    }
    times.sort((a, b) => a - b);
    // The search statement alone, straight to PostgreSQL: the rest is RPC and loading the page.
    const { sql, params: sqlParams } = await statementOf(params.conversations, k.query);
    const sqlTimes = [];
    for (let i = 0; i < RUNS; i++) {
      const s = performance.now();
      await pool.query(sql, sqlParams);
      sqlTimes.push(performance.now() - s);
    }
    sqlTimes.sort((a, b) => a - b);
    rows.push({ k, p50: pct(times, 50), p95: pct(times, 95), sql50: pct(sqlTimes, 50), found, global: frequency.get(k.query) });
    progress(
      `${k.label.padEnd(52)} p50 ${fmt(pct(times, 50), 1).padStart(6)} ms   p95 ${fmt(pct(times, 95), 1).padStart(6)} ms   statement alone p50 ${fmt(pct(sqlTimes, 50), 1).padStart(5)} ms   ${found} results${frequency.has(k.query) ? `  (${fmt(frequency.get(k.query))} matches in the whole store)` : ''}`,
    );
  }
  return rows;
}

async function main() {
  const server = await testPostgres();
  const db = await createDatabase(server, 'bench_search');
  const token = crypto.randomBytes(16).toString('hex');
  const port = await freePort();
  const relay = await spawnService({
    name: 'relay',
    entry: path.join(root, 'services/relay/dist/main.js'),
    port,
    env: { DATABASE_URL: db.url, INTERNAL_TOKEN: token, LOG_LEVEL: 'warn' },
  });
  const rpc = new RpcClient({ url: relay.url, token, service: 'relay' });
  // Settings as the relay's own connections have them.
  const pool = new pg.Pool({ connectionString: db.url, max: 2, options: '-c jit=off' });
  try {
    step(`writing ${fmt(EVENTS)} events in ${fmt(CONVERSATIONS)} conversations with generate_series`);
    const words = vocabulary();
    let t = performance.now();
    const c = await pool.connect();
    try {
      await c.query("SET maintenance_work_mem = '256MB'");
      // Indexes are built after the rows are in, as a bulk load would do it.
      await c.query('DROP INDEX search_docs_grams');
      await c.query(
        `INSERT INTO conversation_seqs (conversation_id, max_seq, last_event_at)
         SELECT 'c' || lpad(n::text, 6, '0'), $2, 1700000000000 + n * 1000 + $2 FROM generate_series(1, $1) n`,
        [CONVERSATIONS, PER_CONVERSATION],
      );
      // Eight words per message, drawn with a skew (the square of a uniform number) so that
      // early words are common and late ones rare.
      await c.query(
        `INSERT INTO events (conversation_id, seq, id, sender_id, kind, content, tags, cid, created_at)
         SELECT 'c' || lpad(n::text, 6, '0'), s,
                md5(n || ':' || s) || md5(s || ':' || n),
                'u' || ((n * 7 + s) % 5000),
                1,
                (SELECT string_agg(($3::text[])[1 + floor(power(random(), 2) * array_length($3::text[], 1))::int], ' ')
                   FROM generate_series(1, 8) w WHERE w > 0 * s),
                '[]', 'bench-' || n || '-' || s,
                1700000000000 + n * 1000 + s
           FROM generate_series(1, $1) n, generate_series(1, $2) s`,
        [CONVERSATIONS, PER_CONVERSATION, words],
      );
      progress(`events: ${fmt((performance.now() - t) / 1000, 1)} s`);
      t = performance.now();
      await c.query(
        `INSERT INTO search_docs (conversation_id, seq, sender_id, kind, created_at, body, grams)
         SELECT e.conversation_id, e.seq, e.sender_id, e.kind, e.created_at, lower(e.content), search_keys(b.hash, lower(e.content))
           FROM events e JOIN (SELECT conversation_id, search_conversation_hash(conversation_id) AS hash FROM conversation_seqs) b USING (conversation_id)`,
      );
      progress(`search documents: ${fmt((performance.now() - t) / 1000, 1)} s`);
      t = performance.now();
      await c.query('CREATE INDEX search_docs_grams ON search_docs USING gin (grams)');
      progress(`gram index: ${fmt((performance.now() - t) / 1000, 1)} s`);
      await c.query('ANALYZE');
      const size = await c.query(
        `SELECT (SELECT pg_size_pretty(sum(pg_total_relation_size(relid))) FROM pg_partition_tree('events')) AS events, pg_size_pretty(pg_total_relation_size('search_docs')) AS docs,
                pg_size_pretty(pg_relation_size('search_docs_grams')) AS gin`,
      );
      progress(`sizes: events ${size.rows[0].events}, search_docs ${size.rows[0].docs} (gram index ${size.rows[0].gin})`);
    } finally {
      c.release();
    }

    // The searching user reads MEMBER_OF conversations spread over the store; in a quarter
    // of them they joined halfway, so half of those conversations' events are not theirs.
    const conversations = Array.from({ length: MEMBER_OF }, (_, i) => ({
      conversation_id: `c${String(1 + Math.floor((i * CONVERSATIONS) / MEMBER_OF)).padStart(6, '0')}`,
      join_seq: i % 4 === 0 ? Math.floor(PER_CONVERSATION / 2) : 0,
    }));
    const counts = await pool.query(
      `SELECT w, (SELECT count(*) FROM search_docs WHERE strpos(body, w) > 0)::int AS n FROM unnest($1::text[]) w`,
      [[words[0], words[200], words[3000], '会议', 'コーヒー', '회의']],
    );
    const frequency = new Map(counts.rows.map((r) => [r.w, r.n]));
    const cases = [
      { label: `common word "${words[0]}"`, query: words[0] },
      { label: `mid word "${words[200]}"`, query: words[200] },
      { label: `rare word "${words[3000]}"`, query: words[3000] },
      { label: 'Chinese two-character word "会议"', query: '会议' },
      { label: 'Japanese "コーヒー"', query: 'コーヒー' },
      { label: 'Korean "회의"', query: '회의' },
      { label: 'substring inside words "eeti"', query: 'eeti' },
      { label: 'two letters "ka" (no index keys: recent window)', query: 'ka' },
      { label: `one conversation, common word`, query: words[0], one: true },
    ];

    step(`searches through relay.searchEvents: a user in ${fmt(MEMBER_OF)} conversations, limit 20, ${RUNS} runs each`);
    const rows = await timeCases(rpc, pool, cases, conversations, frequency);

    // Under a steady stream of stores the indexer writes documents all the time. The key
    // index takes inserts into a pending list (up to gin_pending_list_limit, 4 MB) that every
    // probe reads whole, until it is merged into the tree; the indexer merges it each round.
    // Here PENDING_DOCS events are edited (their current text changes) and queued, the
    // relay's indexer rewrites their documents, and the same searches run again.
    step(`the same searches after the relay's indexer rewrote ${fmt(PENDING_DOCS)} documents`);
    await pool.query('CREATE EXTENSION IF NOT EXISTS pgstattuple');
    await pool.query(
      `WITH edited AS (
         UPDATE events e SET current_content = e.content || ' again', edited_at = e.created_at + 1
          WHERE e.seq = 1 AND e.conversation_id IN (SELECT conversation_id FROM conversation_seqs ORDER BY conversation_id DESC LIMIT $1)
         RETURNING e.conversation_id, e.seq)
       INSERT INTO search_queue (conversation_id, seq) SELECT conversation_id, seq FROM edited ON CONFLICT DO NOTHING`,
      [PENDING_DOCS],
    );
    for (let i = 0; i < 600 && Number((await pool.query('SELECT count(*) AS n FROM search_queue')).rows[0].n) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    // The indexer merges right after each round commits: give the last merge a moment.
    const pendingNow = async () => (await pool.query("SELECT pending_pages, pending_tuples FROM pgstatginindex('search_docs_grams')")).rows[0];
    let pending = await pendingNow();
    for (let i = 0; i < 50 && pending.pending_pages > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      pending = await pendingNow();
    }
    progress(`key index pending list: ${fmt(pending.pending_pages)} pages (${fmt((pending.pending_pages * 8) / 1024, 1)} MB), ${fmt(Number(pending.pending_tuples))} entries`);
    const pendingRows = await timeCases(rpc, pool, [cases[0], cases[2], cases[3], cases[8]], conversations, frequency);

    step('plans (EXPLAIN ANALYZE of the statements the relay runs)');
    for (const k of [cases[0], cases[3], cases[7]]) {
      const { sql, params } = await statementOf(conversations, k.query);
      const plan = await pool.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql}`, params);
      progress(`-- ${k.label}`);
      for (const r of plan.rows) progress(r['QUERY PLAN']);
    }

    step('summary');
    for (const r of rows) progress(`${r.k.label}: p50 ${fmt(r.p50, 1)} ms, p95 ${fmt(r.p95, 1)} ms`);
    for (const r of pendingRows) progress(`${r.k.label}, after the indexer rewrote ${fmt(PENDING_DOCS)} (pending list ${fmt((pending.pending_pages * 8) / 1024, 1)} MB): p50 ${fmt(r.p50, 1)} ms, p95 ${fmt(r.p95, 1)} ms`);
  } finally {
    rpc.close();
    await pool.end();
    await relay.stop();
    await db.drop();
    if (server.embedded) await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
