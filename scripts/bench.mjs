#!/usr/bin/env node
// `make bench`: load against a real cluster on this machine, each figure beside a ceiling
// measured in the same run (a bare PostgreSQL insert loop, a bare `ws` relay).
// Options (environment): BENCH_PAIRS (50), BENCH_SOCKETS_PER_SENDER (8), BENCH_MESSAGES (20000), BENCH_RATE (1000),
// BENCH_SECONDS (5), BENCH_IDLE (5000), BENCH_REDIS (0: in-process router),
// BENCH_PROFILE_DIR (write CPU profiles of the services there), BENCH_METRICS.
import crypto from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import fs from 'node:fs';
import pg from 'pg';
import { Redis } from 'ioredis';
import { WebSocketServer, WebSocket } from 'ws';
import { ImHttp, ImSocket } from '@im/client';
import { encode, decode } from '@im/codec';
import { createDatabase, freePort, spawnService, testPostgres, testRedisUrl } from '@im/devkit';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const env = process.env;
const PAIRS = Number(env.BENCH_PAIRS ?? 50);
const MESSAGES = Number(env.BENCH_MESSAGES ?? 20000);
const RATE = Number(env.BENCH_RATE ?? 1000);
const SECONDS = Number(env.BENCH_SECONDS ?? 5);
const IDLE = Number(env.BENCH_IDLE ?? 5000);
// A socket stores its events in order, one at a time; load comes from many sockets, as it
// does from many users. Each sender opens this many sockets (devices).
const SOCKETS = Number(env.BENCH_SOCKETS_PER_SENDER ?? 8);
const WINDOW = 4;

const step = (text) => process.stdout.write(`\n== ${text}\n`);
const progress = (text) => process.stdout.write(`   ${text}\n`);
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

const results = [];
let redisPrefix;
let redisUrl;

async function dropKeys(url, prefix) {
  const r = new Redis(url);
  const keys = await r.keys(`${prefix}*`);
  for (let i = 0; i < keys.length; i += 500) await r.del(...keys.slice(i, i + 500));
  r.disconnect();
}

async function main() {
  const server = await testPostgres();
  const dbs = [await createDatabase(server, 'bench_seaking'), await createDatabase(server, 'bench_relay'), await createDatabase(server, 'bench_pg')];
  const children = [];
  try {
    step('ceiling: bare PostgreSQL inserts, one transaction per message, 16 connections');
    const pgOne = await pgCeiling(dbs[2].url, 1);
    progress(`${fmt(pgOne)} inserts/s`);
    step('ceiling: bare PostgreSQL inserts, 100 messages per transaction, 4 connections');
    const pgBatch = await pgCeiling(dbs[2].url, 100);
    progress(`${fmt(pgBatch)} inserts/s`);

    step('ceiling: bare ws relay (MessagePack frames from one socket to another)');
    const wsCeiling = await wsRelayCeiling();
    progress(`${fmt(wsCeiling.throughput)} msgs/s; at ${RATE}/s p50 ${fmt(wsCeiling.p50, 2)} ms, p99 ${fmt(wsCeiling.p99, 2)} ms`);

    step('starting the cluster');
    const secrets = { JWT_SECRET: crypto.randomBytes(16).toString('hex'), INTERNAL_TOKEN: crypto.randomBytes(16).toString('hex'), LOG_LEVEL: 'warn' };
    const [sp, rp, gp] = [await freePort(), await freePort(), await freePort()];
    const redis = env.BENCH_REDIS === '0' ? undefined : await testRedisUrl();
    redisPrefix = `im-bench-${Date.now()}:`;
    redisUrl = redis;
    const start = async (name, port, extra) => {
      const nodeArgs = env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(env.BENCH_PROFILE_DIR)}`] : [];
      const s = await spawnService({ name, entry: path.join(root, 'services', name, 'dist', 'main.js'), port, env: { ...secrets, ...extra }, nodeArgs });
      children.push(s);
      return s;
    };
    await start('seaking', sp, { DATABASE_URL: dbs[0].url });
    await start('relay', rp, { DATABASE_URL: dbs[1].url });
    const gateway = await start('gateway', gp, {
      SEAKING_URL: `http://127.0.0.1:${sp}`,
      RELAY_URL: `http://127.0.0.1:${rp}`,
      EVENT_RATE: '0',
      MAX_CONN_PER_USER: '1000',
      ...(redis ? { REDIS_URL: redis, REDIS_PREFIX: redisPrefix } : {}),
    });
    progress(`gateway ${gateway.url}${redis ? ' with Redis routing' : ' with the in-process router'}`);
    const http = new ImHttp(gateway.url);

    // Measured first, on a gateway that has not yet been through load (and its garbage).
    const probes = await Promise.all(Array.from({ length: 50 }, (_, i) => user(http, `probe${i}`)));
    step(`memory: ${IDLE} idle sockets on the gateway`);
    const perSocket = await measureIdle(http, gateway.child.pid, probes.map((p) => p.token));
    progress(`${fmt(perSocket / 1024, 1)} KiB per idle socket`);

    step(`signing up ${PAIRS * 2} users and making ${PAIRS} pairs of friends`);
    const pairs = [];
    for (let i = 0; i < PAIRS; i++) {
      const [a, b] = await Promise.all([user(http, `a${i}`), user(http, `b${i}`)]);
      const { request_id } = await a.socket.request('send_friend_request', { user_id: b.id });
      const { conversation_id } = await b.socket.request('accept_friend_request', { request_id });
      pairs.push({ a, b, conversation_id });
      if ((i + 1) % 10 === 0) progress(`${i + 1}/${PAIRS} pairs`);
    }

    step(`throughput: ${fmt(MESSAGES)} messages from ${PAIRS} senders on ${PAIRS * SOCKETS} sockets, ack = committed`);
    const throughput = await measureThroughput(pairs);
    progress(`${fmt(throughput)} msgs/s committed and acked`);

    step(`latency: ${RATE} msgs/s for ${SECONDS} s, send to delivery at the peer`);
    const latency = await measureLatency(pairs);
    progress(`p50 ${fmt(latency.p50, 2)} ms, p99 ${fmt(latency.p99, 2)} ms, ${latency.count} delivered`);

    if (env.BENCH_METRICS) {
      for (const [name, port] of [['gateway', gp], ['relay', rp]]) {
        const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        progress(`${name} metrics:\n` + text.split('\n').filter((l) => /_(sum|count)\{/.test(l) && /(storeEvent|event|commit_batch)/.test(l)).join('\n'));
      }
    }

    results.push(
      ['committed msgs/s (ack after commit)', fmt(throughput), `bare PG 1/tx: ${fmt(pgOne)}; 100/tx: ${fmt(pgBatch)}`, `${fmt(throughput / pgOne, 2)}× / ${fmt(throughput / pgBatch, 2)}×`, '20,000'],
      ['send→deliver p99 at rate', `${fmt(latency.p99, 2)} ms`, `bare ws relay: ${fmt(wsCeiling.p99, 2)} ms`, `${fmt(latency.p99 / wsCeiling.p99, 1)}×`, '< 5 ms'],
      ['send→deliver p50 at rate', `${fmt(latency.p50, 2)} ms`, `bare ws relay: ${fmt(wsCeiling.p50, 2)} ms`, `${fmt(latency.p50 / wsCeiling.p50, 1)}×`, ''],
      ['memory per idle socket', `${fmt(perSocket / 1024, 1)} KiB`, '', '', '< 12 KiB'],
    );
    for (const p of pairs) {
      p.a.socket.terminate();
      p.b.socket.terminate();
    }
  } finally {
    for (const c of children) await c.stop('SIGTERM');
    for (const d of dbs) await d.drop();
    if (server.embedded) await server.stop();
    if (redisUrl) await dropKeys(redisUrl, redisPrefix);
  }
  step('results');
  const header = ['measure', 'cluster', 'ceiling in this run', 'ratio', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...results.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of results) console.log(line(r));
  if (env.BENCH_OUT) fs.writeFileSync(env.BENCH_OUT, JSON.stringify(results, null, 2));
}

async function user(http, name) {
  const username = `${name}_${Date.now().toString(36)}${crypto.randomBytes(2).toString('hex')}`;
  await http.register({ username, password: 'bench password 1' });
  const session = await http.login({ username, password: 'bench password 1' });
  const socket = await ImSocket.connect(http.wsUrl(), session.token, { requestTimeoutMs: 60000 });
  return { id: session.user.user_id, token: session.token, socket, http };
}

async function pgCeiling(url, perTx) {
  const pool = new pg.Pool({ connectionString: url, max: perTx === 1 ? 16 : 4 });
  await pool.query('CREATE TABLE IF NOT EXISTS bench (id bigserial PRIMARY KEY, conversation_id text, content text, created_at bigint)');
  const total = Math.min(MESSAGES, perTx === 1 ? 5000 : MESSAGES);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: perTx === 1 ? 16 : 4 }, async () => {
      const client = await pool.connect();
      try {
        while (next < total) {
          const n = Math.min(perTx, total - next);
          next += n;
          await client.query('BEGIN');
          await client.query('INSERT INTO bench (conversation_id, content, created_at) SELECT $1, $2, $3 FROM generate_series(1, $4)', ['c', 'hello', Date.now(), n]);
          await client.query('COMMIT');
        }
      } finally {
        client.release();
      }
    }),
  );
  const rate = total / ((performance.now() - started) / 1000);
  await pool.end();
  return rate;
}

async function wsRelayCeiling() {
  const port = await freePort();
  const wss = new WebSocketServer({ port, perMessageDeflate: false });
  const sockets = [];
  wss.on('connection', (ws) => {
    sockets.push(ws);
    ws.on('message', (data) => {
      const frame = decode(data);
      const bytes = encode({ cmd: 'event', data: frame.data });
      for (const other of sockets) if (other !== ws) other.send(bytes);
    });
  });
  const open = () => new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    ws.on('open', () => resolve(ws));
  });
  const [a, b] = [await open(), await open()];
  const count = Math.min(MESSAGES, 20000);
  let got = 0;
  const done = new Promise((resolve) => b.on('message', () => ++got === count && resolve()));
  const started = performance.now();
  for (let i = 0; i < count; i++) a.send(encode({ cmd: 'event', data: { content: 'hello', i } }));
  await done;
  const throughput = count / ((performance.now() - started) / 1000);
  b.removeAllListeners('message');
  const latencies = [];
  b.on('message', (data) => latencies.push(performance.now() - decode(data).data.t));
  await paced(RATE, Math.min(SECONDS, 3), () => a.send(encode({ cmd: 'event', data: { content: 'hello', t: performance.now() } })));
  await new Promise((r) => setTimeout(r, 200));
  a.terminate();
  b.terminate();
  wss.close();
  latencies.sort((x, y) => x - y);
  return { throughput, p50: pct(latencies, 50), p99: pct(latencies, 99) };
}

async function paced(rate, seconds, send) {
  const total = rate * seconds;
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    send(i);
  }
}

async function measureThroughput(pairs) {
  const perSender = Math.ceil(MESSAGES / pairs.length);
  let acked = 0;
  const extra = await Promise.all(pairs.map(({ a }) => Promise.all(Array.from({ length: SOCKETS - 1 }, () => ImSocket.connect(a.http.wsUrl(), a.token, { requestTimeoutMs: 60000 })))));
  const started = performance.now();
  const timer = setInterval(() => progress(`${fmt(acked)} acked`), 2000);
  await Promise.all(
    pairs.map(async ({ a, conversation_id }, p) => {
      const sockets = [a.socket, ...extra[p]];
      let sent = 0;
      const lane = async (socket) => {
        while (sent < perSender) {
          const n = sent++;
          await socket.sendText(conversation_id, 'hello there', { cid: `t-${p}-${n}` });
          acked++;
        }
      };
      await Promise.all(sockets.flatMap((socket) => Array.from({ length: WINDOW }, () => lane(socket))));
    }),
  );
  clearInterval(timer);
  for (const list of extra) for (const s of list) s.terminate();
  return acked / ((performance.now() - started) / 1000);
}

async function measureLatency(pairs) {
  const latencies = [];
  const sentAt = new Map();
  for (const { b } of pairs) {
    b.socket.on('event', (e) => {
      const t = sentAt.get(e.cid);
      if (t !== undefined) latencies.push(performance.now() - t);
    });
  }
  await paced(RATE, SECONDS, (i) => {
    const { a, conversation_id } = pairs[i % pairs.length];
    const cid = `l-${i}`;
    sentAt.set(cid, performance.now());
    a.socket.sendText(conversation_id, 'ping', { cid }).catch(() => undefined);
  });
  await new Promise((r) => setTimeout(r, 1000));
  latencies.sort((x, y) => x - y);
  return { p50: pct(latencies, 50), p99: pct(latencies, 99), count: latencies.length };
}

function rss(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) * 1024;
}

async function measureIdle(http, pid, tokens) {
  await new Promise((r) => setTimeout(r, 1000));
  const before = rss(pid);
  const sockets = [];
  for (let i = 0; i < IDLE; i += 100) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(100, IDLE - i) }, (_, k) => ImSocket.connect(http.wsUrl(), tokens[(i + k) % tokens.length])))));
    if ((i + 100) % 500 === 0) progress(`${sockets.length} sockets open`);
  }
  await new Promise((r) => setTimeout(r, 2000));
  const after = rss(pid);
  for (const s of sockets) s.terminate();
  return (after - before) / IDLE;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
