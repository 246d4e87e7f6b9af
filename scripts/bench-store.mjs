#!/usr/bin/env node
// Store throughput of the relay alone: CALLERS concurrent callers drive relay.storeEvent
// through its JSON-RPC endpoint (as gateways do) for SECONDS, against a fresh database.
// Used to show what indexing for search costs the ack path: run it against this relay
// and against another build (RELAY_ENTRY=path/to/relay/dist/main.js).
// BENCH_STORE_RATE=n stores n events a second open loop instead (each call on its own, as a
// light load sends them) and reports the store latency and the CPU per event of the relay
// and of PostgreSQL: at 1,000/s against RELAY_ENV_BASELINE='{"SEARCH_INDEXER":"off"}' it
// shows what indexing for search costs the ack path at light load.
// Options (environment): BENCH_STORE_CALLERS (400), BENCH_STORE_SECONDS (10),
// BENCH_STORE_CONVERSATIONS (2000), BENCH_STORE_ROUNDS (3: alternating runs, best of each),
// RELAY_ENTRY, RELAY_ENTRY_BASELINE (a second relay build to compare with, run alternately),
// RELAY_ENV_BASELINE (settings, as JSON, of another run of this relay to compare with, e.g.
// '{"SEARCH_INDEXER":"off"}' for what the search indexer costs the store path; an array of
// such objects compares several).
import crypto from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createDatabase, freePort, spawnService, testPostgres } from '@im/devkit';
import { RpcClient } from '@im/rpc';
import { postgresPidsOf } from './bench/common.mjs';
import { CpuMeter } from './bench/procstat.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const env = process.env;
const CALLERS = Number(env.BENCH_STORE_CALLERS ?? 400);
const SECONDS = Number(env.BENCH_STORE_SECONDS ?? 10);
const CONVERSATIONS = Number(env.BENCH_STORE_CONVERSATIONS ?? 2000);
const RATE = env.BENCH_STORE_RATE ? Number(env.BENCH_STORE_RATE) : undefined;
const ROUNDS = Number(env.BENCH_STORE_ROUNDS ?? (RATE ? 5 : 3));
const builds = [{ label: 'this relay', entry: env.RELAY_ENTRY ?? path.join(root, 'services/relay/dist/main.js'), env: {} }];
if (env.RELAY_ENTRY_BASELINE) builds.push({ label: 'baseline relay', entry: path.resolve(env.RELAY_ENTRY_BASELINE), env: {} });
for (const settings of env.RELAY_ENV_BASELINE ? [JSON.parse(env.RELAY_ENV_BASELINE)].flat() : []) {
  builds.push({ label: `this relay, ${Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(' ')}`, entry: builds[0].entry, env: settings });
}

const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const words = ['meeting', 'coffee', 'report', 'budget', 'holiday', 'deadline', '会议', '咖啡', 'コーヒー', '회의', 'tomorrow', 'thanks'];

/** One timed run against a fresh database: events stored per second and the store latency. */
async function run(server, build) {
  const db = await createDatabase(server, 'bench_store');
  const token = crypto.randomBytes(16).toString('hex');
  const relay = await spawnService({ name: 'relay', entry: build.entry, port: await freePort(), env: { DATABASE_URL: db.url, INTERNAL_TOKEN: token, LOG_LEVEL: 'warn', ...build.env } });
  const rpc = new RpcClient({ url: relay.url, token, service: 'relay' });
  try {
    let stored = 0;
    const latencies = [];
    let n = 0;
    const send = async () => {
      const i = n++;
      const content = Array.from({ length: 8 }, (_, k) => words[(i * 7 + k * 3) % words.length]).join(' ');
      const s = performance.now();
      await rpc.call('relay.storeEvent', { sender_id: `u${i % 500}`, conversation_id: `c${i % CONVERSATIONS}`, kind: 1, content: `${content} #${i}`, tags: [], cid: `b-${i}` });
      latencies.push(performance.now() - s);
      stored++;
    };
    // Warm up, then measure.
    await Promise.all(Array.from({ length: 50 }, send));
    stored = 0;
    latencies.length = 0;
    if (RATE) {
      // Two seconds at the rate first: the relay's threads and statements warm up, and
      // the measured run starts in the steady state.
      await openLoop(send, [], relay.child.pid, db.name, 2);
      latencies.length = 0;
      return { ...(await openLoop(send, latencies, relay.child.pid, db.name, SECONDS)), rate: undefined };
    }
    const deadline = performance.now() + SECONDS * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CALLERS }, async () => {
        while (performance.now() < deadline) await send();
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return { rate: stored / elapsed, p50: pct(latencies, 50), p99: pct(latencies, 99) };
  } finally {
    rpc.close();
    await relay.stop();
    await db.drop();
  }
}

/** RATE stores a second for `seconds`, each sent when due whatever the others are doing. */
async function openLoop(send, latencies, relayPid, dbName, seconds) {
  const meter = new CpuMeter({ relay: () => [relayPid], postgres: postgresPidsOf([dbName]) });
  meter.start();
  const started = performance.now();
  const total = RATE * seconds;
  const pending = [];
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE));
    for (; sent < due; sent++) pending.push(send());
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  const cpu = meter.stop();
  latencies.sort((a, b) => a - b);
  const us = (g) => (1e6 * cpu.groups[g].cpuSeconds) / total;
  return { p50: pct(latencies, 50), p99: pct(latencies, 99), p999: pct(latencies, 99.9), relayUs: us('relay'), pgUs: us('postgres') };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const server = await testPostgres();
  const best = new Map(builds.map((b) => [b.label, undefined]));
  try {
    // Runs alternate between builds so that load from elsewhere on the machine falls on both.
    const all = new Map(builds.map((b) => [b.label, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const build of builds) {
        const r = await run(server, build);
        all.get(build.label).push(r);
        if (RATE) {
          process.stdout.write(
            `round ${round} ${build.label.padEnd(30)} ${fmt(RATE)}/s   store p50 ${fmt(r.p50, 2)} ms   p99 ${fmt(r.p99, 2)} ms   p99.9 ${fmt(r.p999, 2)} ms   CPU per event: relay ${fmt(r.relayUs)} µs, PostgreSQL ${fmt(r.pgUs)} µs\n`,
          );
          continue;
        }
        process.stdout.write(`round ${round} ${build.label.padEnd(30)} ${fmt(r.rate).padStart(7)} events/s   store p50 ${fmt(r.p50, 1)} ms   p99 ${fmt(r.p99, 1)} ms\n`);
        const b = best.get(build.label);
        if (!b || r.rate > b.rate) best.set(build.label, r);
      }
    }
    if (RATE) {
      process.stdout.write(`\nmedian of ${ROUNDS} rounds at ${fmt(RATE)}/s, ${SECONDS} s each (min–max):\n`);
      for (const [label, runs] of all) {
        const m = (f, d = 2) => `${fmt(median(runs.map(f)), d)} (${fmt(Math.min(...runs.map(f)), d)}–${fmt(Math.max(...runs.map(f)), d)})`;
        process.stdout.write(`  ${label.padEnd(30)} p50 ${m((r) => r.p50)} ms; p99 ${m((r) => r.p99)} ms; relay ${m((r) => r.relayUs, 0)} µs/event; PostgreSQL ${m((r) => r.pgUs, 0)} µs/event\n`);
      }
      return;
    }
    process.stdout.write(`\nbest of ${ROUNDS}, ${CALLERS} callers, ${SECONDS} s each:\n`);
    for (const [label, r] of best) process.stdout.write(`  ${label.padEnd(30)} ${fmt(r.rate)} events/s (p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms)\n`);
  } finally {
    if (server.embedded) await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
