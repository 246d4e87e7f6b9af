#!/usr/bin/env node
// `make bench-timeline`: the friends' timeline at size. Starts its own seaking, relay and
// gateway against fresh databases, seeds one user with 500 friends who posted 20,000
// moments between them (plus strangers posting as much, whom the timeline must never
// touch), then, over a real WebSocket through the gateway: the latency of a first page,
// and a walk through every page while friends keep posting, counting repeats and gaps.
// Prints the timeline query's plan (EXPLAIN ANALYZE on the unanalysed database, as the
// service runs it), compares it with the plan after ANALYZE, and ends with a table.
// Options (environment): BENCH_TIMELINE_FRIENDS (500), BENCH_TIMELINE_MOMENTS (20000),
// BENCH_TIMELINE_STRANGER_MOMENTS (20000), BENCH_TIMELINE_SAMPLES (500), BENCH_TIMELINE_LIMIT (20),
// BENCH_TIMELINE_POST_EVERY_MS (25: one new moment from a friend this often during the walk),
// BENCH_TIMELINE_KEEP=1 (keep seaking's database for a closer look, on a PostgreSQL server
// rather than the embedded one; its URL is printed).
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { ImHttp, ImSocket } from '@im/client';
import { createDatabase, freePort, spawnService, testPostgres } from '@im/devkit';
import { REBUILD_MOMENT_HEADS, timelineStatement } from '../services/seaking/dist/domain/moments/repository.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const env = process.env;
const FRIENDS = Number(env.BENCH_TIMELINE_FRIENDS ?? 500);
const MOMENTS = Number(env.BENCH_TIMELINE_MOMENTS ?? 20000);
const STRANGER_MOMENTS = Number(env.BENCH_TIMELINE_STRANGER_MOMENTS ?? 20000);
const SAMPLES = Number(env.BENCH_TIMELINE_SAMPLES ?? 500);
const LIMIT = Number(env.BENCH_TIMELINE_LIMIT ?? 20);
const POST_EVERY_MS = Number(env.BENCH_TIMELINE_POST_EVERY_MS ?? 25);
// Friends with a real account, who post through the gateway during the walk.
const POSTERS = 4;
const STRANGERS = 1000;
const DAY = 86_400_000;

const step = (text) => process.stdout.write(`\n== ${text}\n`);
const progress = (text) => process.stdout.write(`   ${text}\n`);
const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
// The same shape of id the services make: a type letter, the time, then randomness.
const newId = (prefix, at = Date.now()) => `${prefix}${at.toString(36)}${crypto.randomBytes(8).toString('hex')}`;

async function main() {
  const server = await testPostgres();
  const dbs = [await createDatabase(server, 'bench_tl_seaking'), await createDatabase(server, 'bench_tl_relay')];
  const children = [];
  const sockets = [];
  const results = [];
  let seaking;
  try {
    step('starting seaking, relay and a gateway on fresh databases');
    const secrets = { JWT_SECRET: crypto.randomBytes(16).toString('hex'), INTERNAL_TOKEN: crypto.randomBytes(16).toString('hex'), LOG_LEVEL: 'warn' };
    const start = async (name, extra) => {
      const s = await spawnService({ name, entry: path.join(root, 'services', name, 'dist', 'main.js'), port: await freePort(), env: { ...secrets, ...extra } });
      children.push(s);
      return s;
    };
    const sk = await start('seaking', { DATABASE_URL: dbs[0].url });
    const rl = await start('relay', { DATABASE_URL: dbs[1].url });
    // One socket asks for thousands of pages: the per-socket command budget is off, as for the main bench's event rate.
    const gateway = await start('gateway', { SEAKING_URL: sk.url, RELAY_URL: rl.url, COMMAND_RATE: '0' });
    progress(`gateway ${gateway.url}; load average now ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
    const http = new ImHttp(gateway.url);
    seaking = new pg.Pool({ connectionString: dbs[0].url, max: 4 });

    step(`signing up the reader and ${POSTERS} of their friends through the gateway`);
    const reader = await signUp(http, 'reader');
    sockets.push(reader.socket);
    const posters = [];
    for (let i = 0; i < POSTERS; i++) {
      const p = await signUp(http, `poster${i}`);
      sockets.push(p.socket);
      const { request_id } = await p.socket.request('send_friend_request', { user_id: reader.id });
      await reader.socket.request('accept_friend_request', { request_id });
      posters.push(p);
    }

    step(`seeding ${FRIENDS - POSTERS} more friends, ${STRANGERS} strangers, ${fmt(MOMENTS)} friends' and ${fmt(STRANGER_MOMENTS)} strangers' moments (SQL, rows as seaking writes them)`);
    const seeded = await seed(seaking, reader.id, posters.map((p) => p.id));
    progress(`${fmt(seeded.friendMoments)} friends' moments, ${fmt(seeded.visible)} of them visible to the reader (the rest private)`);
    progress('no ANALYZE: the measurements run on a database without statistics, as a fresh one has');

    step(`first page: ${SAMPLES} get_timeline (limit ${LIMIT}) one after another on one socket`);
    for (let i = 0; i < 30; i++) await reader.socket.request('get_timeline', { limit: LIMIT });
    const first = [];
    for (let i = 0; i < SAMPLES; i++) {
      const t = performance.now();
      const page = await reader.socket.request('get_timeline', { limit: LIMIT });
      first.push(performance.now() - t);
      if (page.moments.length !== LIMIT) throw new Error(`first page has ${page.moments.length} moments`);
      if ((i + 1) % 100 === 0) progress(`${i + 1}/${SAMPLES}`);
    }
    first.sort((a, b) => a - b);
    progress(`p50 ${fmt(pct(first, 50), 2)} ms, p99 ${fmt(pct(first, 99), 2)} ms, fastest ${fmt(first[0], 2)} ms`);

    step(`the same query alone, straight to PostgreSQL (${SAMPLES} times)`);
    const { text, values } = timelineStatement(reader.id, undefined, LIMIT + 1);
    const sqlAlone = [];
    for (let i = 0; i < SAMPLES; i++) {
      const t = performance.now();
      await seaking.query(text, values);
      sqlAlone.push(performance.now() - t);
    }
    sqlAlone.sort((a, b) => a - b);
    progress(`p50 ${fmt(pct(sqlAlone, 50), 2)} ms, p99 ${fmt(pct(sqlAlone, 99), 2)} ms, fastest ${fmt(sqlAlone[0], 2)} ms`);

    step('EXPLAIN (ANALYZE, BUFFERS) of the timeline query, first page, no statistics');
    const planBefore = await explain(seaking, text, values);
    console.log(planBefore.text.replace(/^/gm, '   '));
    progress(`summary: ${summarize(planBefore.text)}`);

    step(`walking every page (limit ${LIMIT}) while friends post a moment every ${POST_EVERY_MS} ms through the gateway`);
    // What the reader may see now, asked of the tables directly rather than of the service.
    const snapshot = new Set(
      (
        await seaking.query(
          `SELECT m.moment_id FROM moments m JOIN friendships f ON f.friend_id = m.user_id
            WHERE f.user_id = $1 AND m.visibility <> 'private'
           UNION ALL SELECT moment_id FROM moments WHERE user_id = $1`,
          [reader.id],
        )
      ).rows.map((r) => r.moment_id),
    );
    const newlyPosted = new Set();
    let posting = true;
    let postingDone;
    const startPosting = async () => {
      for (let i = 0; posting; i++) {
        const started = performance.now();
        const { moment } = await posters[i % POSTERS].socket.request('post_moment', { content: `posted while paging ${i}`, visibility: i % 2 ? 'friends' : 'public' });
        newlyPosted.add(moment.moment_id);
        const wait = POST_EVERY_MS - (performance.now() - started);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    };
    const seen = new Map();
    const paging = [];
    let before;
    let pages = 0;
    let shortPages = 0;
    let outOfOrder = 0;
    let last;
    for (;;) {
      const t = performance.now();
      const page = await reader.socket.request('get_timeline', before ? { limit: LIMIT, before } : { limit: LIMIT });
      paging.push(performance.now() - t);
      pages++;
      for (const m of page.moments) {
        seen.set(m.moment_id, (seen.get(m.moment_id) ?? 0) + 1);
        if (last && !(m.created_at < last.created_at || (m.created_at === last.created_at && m.moment_id < last.moment_id))) outOfOrder++;
        last = m;
      }
      // Friends start posting once the walk has begun: all they post is newer than its first page.
      postingDone ??= startPosting();
      if (page.next_cursor === null) break;
      if (page.moments.length !== LIMIT) shortPages++;
      before = page.next_cursor;
      if (pages % 100 === 0) progress(`${pages} pages, ${fmt(seen.size)} moments, ${newlyPosted.size} posted meanwhile`);
    }
    posting = false;
    await postingDone;
    paging.sort((a, b) => a - b);
    const repeats = [...seen.values()].filter((n) => n > 1).length;
    const gaps = [...snapshot].filter((id) => !seen.has(id)).length;
    const newSeen = [...newlyPosted].filter((id) => seen.has(id)).length;
    const unexpected = [...seen.keys()].filter((id) => !snapshot.has(id) && !newlyPosted.has(id)).length;
    progress(`${pages} pages, ${fmt(seen.size)} moments; ${newlyPosted.size} posted meanwhile (${newSeen} of them showed up in the walk)`);
    progress(`repeats ${repeats}, gaps ${gaps}, short pages ${shortPages}, out of order ${outOfOrder}, moments the reader may not see ${unexpected}`);
    progress(`per page p50 ${fmt(pct(paging, 50), 2)} ms, p99 ${fmt(pct(paging, 99), 2)} ms`);
    const fresh = await reader.socket.request('get_timeline', { limit: LIMIT });
    const freshNew = fresh.moments.filter((m) => newlyPosted.has(m.moment_id)).length;
    progress(`a fresh first page: ${freshNew} of its ${fresh.moments.length} moments were posted during the walk`);

    step('ANALYZE, then the same EXPLAIN (more moments now: those posted during the walk)');
    await seaking.query('ANALYZE');
    const planAfter = await explain(seaking, text, values);
    const access = [momentsAccess(planBefore.text), momentsAccess(planAfter.text)];
    // Whatever the statistics, moments are read only per author through their index, never scanned whole.
    const indexOnly = access.every((a) => a.length > 0 && a.every((l) => l.includes('moments_author_time') || l.includes('moment_heads_pkey') || /^Bitmap Heap Scan on moments/.test(l)));
    const sameShape = access[0].join('\n') === access[1].join('\n');
    progress(`moments read through moments_author_time and heads through their key only, with and without statistics: ${indexOnly ? 'yes' : 'NO'}`);
    progress(`the same scans of moments after ANALYZE: ${sameShape ? 'yes' : 'no, now:'}`);
    if (!sameShape) for (const l of access[1]) progress(`  ${l}`);
    progress(`execution ${fmt(planBefore.ms, 2)} ms without statistics, ${fmt(planAfter.ms, 2)} ms with`);

    const ok = repeats === 0 && gaps === 0 && shortPages === 0 && outOfOrder === 0 && unexpected === 0 && newSeen === 0 && indexOnly;
    results.push(
      ['get_timeline first page p50 (gateway, WebSocket)', `${fmt(pct(first, 50), 2)} ms`, `${SAMPLES} requests`, 'a few ms'],
      ['get_timeline first page p99 / fastest', `${fmt(pct(first, 99), 2)} / ${fmt(first[0], 2)} ms`, '', ''],
      ['timeline query alone p50 / p99 / fastest (PostgreSQL)', `${fmt(pct(sqlAlone, 50), 2)} / ${fmt(pct(sqlAlone, 99), 2)} / ${fmt(sqlAlone[0], 2)} ms`, `${SAMPLES} queries`, ''],
      ['paging every page p50 / p99', `${fmt(pct(paging, 50), 2)} / ${fmt(pct(paging, 99), 2)} ms`, `${pages} pages of ${LIMIT}`, ''],
      ['moments walked / visible at start', `${fmt(seen.size)} / ${fmt(snapshot.size)}`, `${newlyPosted.size} posted meanwhile`, 'equal'],
      ['repeats / gaps / short pages', `${repeats} / ${gaps} / ${shortPages}`, '', '0 / 0 / 0'],
      ['buffers one first page touches (load-independent work)', /Buffers: shared hit=(\d+)/.exec(planBefore.text)?.[1] ?? '?', `${FRIENDS} friends: one probe each`, ''],
      ['EXPLAIN ANALYZE without / with statistics', `${fmt(planBefore.ms, 2)} / ${fmt(planAfter.ms, 2)} ms`, sameShape ? 'same scans of moments' : 'other scans of moments', ''],
      ['moments read only per author, by index', indexOnly ? 'yes' : 'no', 'both plans', 'yes'],
    );
    if (!ok) process.exitCode = 1;
  } finally {
    for (const s of sockets) s.terminate();
    await seaking?.end();
    for (const c of children) await c.stop('SIGTERM');
    if (env.BENCH_TIMELINE_KEEP === '1') progress(`kept seaking's database: ${dbs[0].url}`);
    for (const d of env.BENCH_TIMELINE_KEEP === '1' ? dbs.slice(1) : dbs) await d.drop();
    if (server.embedded) await server.stop();
  }
  step(`results: ${FRIENDS} friends, ${fmt(MOMENTS)} moments among them; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
  const header = ['measure', 'value', 'sample', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...results.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of results) console.log(line(r));
}

async function signUp(http, name) {
  const username = `${name}_${Date.now().toString(36)}${crypto.randomBytes(2).toString('hex')}`;
  await http.register({ username, password: 'bench password 1' });
  const session = await http.login({ username, password: 'bench password 1' });
  const socket = await ImSocket.connect(http.wsUrl(), session.token, { requestTimeoutMs: 60000 });
  return { id: session.user.user_id, socket };
}

/**
 * Friends as a friendship is stored (one row each way), strangers befriending each other and
 * some of the reader's friends, and moments over the last 30 days: 45% public, 45% friends,
 * 10% private, a few posted in the same millisecond as another.
 */
async function seed(db, readerId, posterIds) {
  const now = Date.now();
  const friendIds = [...posterIds];
  while (friendIds.length < FRIENDS) friendIds.push(newId('u', now - 40 * DAY));
  const strangerIds = Array.from({ length: STRANGERS }, () => newId('u', now - 40 * DAY));
  const fresh = [...friendIds.slice(POSTERS), ...strangerIds];
  await db.query(
    `INSERT INTO users (user_id, username, nickname, avatar, created_at)
     SELECT id, 'seed_' || id, 'Seed ' || n, '', $2 FROM unnest($1::text[]) WITH ORDINALITY AS t(id, n)`,
    [fresh, now - 40 * DAY],
  );
  const a = [];
  const b = [];
  const pair = (x, y) => a.push(x, y) && b.push(y, x);
  for (const f of friendIds.slice(POSTERS)) pair(readerId, f);
  for (let i = 0; i < strangerIds.length; i++) {
    pair(strangerIds[i], strangerIds[(i + 1) % strangerIds.length]);
    pair(strangerIds[i], friendIds[i % friendIds.length]);
  }
  await db.query(`INSERT INTO friendships (user_id, friend_id, since) SELECT x, y, $3 FROM unnest($1::text[], $2::text[]) AS t(x, y) ON CONFLICT DO NOTHING`, [a, b, now - 30 * DAY]);

  let visible = 0;
  const insertMoments = async (authors, count, label) => {
    for (let done = 0; done < count; ) {
      const n = Math.min(2000, count - done);
      const rows = { id: [], user: [], content: [], visibility: [], at: [] };
      let previous = now - 30 * DAY;
      for (let i = 0; i < n; i++) {
        const r = Math.random();
        const visibility = r < 0.45 ? 'public' : r < 0.9 ? 'friends' : 'private';
        // One in twenty shares its millisecond with the moment before it.
        const at = Math.random() < 0.05 ? previous : now - Math.floor(Math.random() * 30 * DAY) - 60_000;
        previous = at;
        rows.id.push(newId('m', at));
        rows.user.push(authors[Math.floor(Math.random() * authors.length)]);
        rows.content.push(`${label} moment ${done + i}`);
        rows.visibility.push(visibility);
        rows.at.push(at);
        if (label === 'friend' && visibility !== 'private') visible++;
      }
      await db.query(
        `INSERT INTO moments (moment_id, user_id, content, images, visibility, created_at)
         SELECT id, u, c, '{}', v, t FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) AS x(id, u, c, v, t)`,
        [rows.id, rows.user, rows.content, rows.visibility, rows.at],
      );
      done += n;
      if (done % 10000 === 0 || done === count) progress(`${fmt(done)}/${fmt(count)} ${label} moments`);
    }
  };
  await insertMoments(friendIds, MOMENTS, 'friend');
  await insertMoments(strangerIds, STRANGER_MOMENTS, 'stranger');
  // What posting through the service keeps: each author's newest moment that others may see.
  await db.query(REBUILD_MOMENT_HEADS);
  return { friendMoments: MOMENTS, visible };
}

async function explain(db, text, values) {
  const { rows } = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, values);
  const lines = rows.map((r) => r['QUERY PLAN']);
  const ms = Number(/Execution Time: ([\d.]+)/.exec(lines.join('\n'))?.[1] ?? NaN);
  return { text: lines.join('\n'), ms };
}

/** The per-author probes of a plan and what the whole query touched. */
function summarize(plan) {
  const probes = [...plan.matchAll(/(Index Scan using|Bitmap Index Scan on) (moments_author_time|moment_heads_pkey) .*?loops=(\d+)\)/g)].map((m) => `${m[2]} by ${m[1].replace(/ (using|on)$/, '')} ×${m[3]}`);
  const buffers = /Buffers: shared hit=(\d+)/.exec(plan)?.[1];
  const ms = /Execution Time: ([\d.]+)/.exec(plan)?.[1];
  return `${probes.join(', then ')}; ${buffers} buffers, all in memory; ${ms} ms; no Seq Scan on moments or heads: ${/Seq Scan on moment(s|_heads)\b/.test(plan) ? 'NO' : 'yes'}`;
}

/** How the plan reads `moments`: each scan node on it, without costs, timings or row counts. */
function momentsAccess(plan) {
  return plan
    .split('\n')
    .filter((l) => / on moments\b|moments_author_time| on moment_heads\b|moment_heads_pkey/.test(l))
    .map((l) => l.replace(/^\s*->\s*/, '').replace(/\s*\(cost=.*$/, '').replace(/\s+m(_\d+)?$/, '').trim());
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
