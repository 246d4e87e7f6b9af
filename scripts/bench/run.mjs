#!/usr/bin/env node
// `make bench`: the cluster under load on this machine, every figure beside a ceiling
// measured in the same run, with the CPU each process spent. Everything (PostgreSQL,
// Redis, the services and the load generators) shares the machine, as it would on one box.
//
// Options (environment):
//   BENCH_REPEATS (3)        runs of each scenario; the table shows the median and the spread
//   BENCH_SECONDS (10)       length of each timed run
//   BENCH_RATE (1000)        messages a second in the rate runs
//   BENCH_PAIRS (500)        sender/receiver pairs (2 × this many clients, on two gateways)
//   BENCH_WINDOW (4)         messages in flight per sender in the saturation runs
//   BENCH_IDLE (15000)       idle sockets for the memory figure (enough that the young
//                            generation, up to 48 MB, is noise and not the figure)
//   BENCH_GROUP (500)        members of the fan-out group
//   BENCH_ONLY               comma-separated scenarios: idle,storm,rate,saturation,fanout,readby,ceilings
//   BENCH_OUT                write the results as JSON there
//   BENCH_PROFILE_DIR        write CPU profiles of the services there
//   BENCH_RELAY_ENV          extra settings for the relay, as JSON (e.g. '{"COMMIT_CONCURRENCY":"1"}')
import crypto from 'node:crypto';
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImSocket } from '../../packages/client/dist/index.js';
import { createDatabase, freePort, spawnService, testPostgres, testRedisUrl } from '../../packages/devkit/dist/index.js';
import { pgCeiling } from './ceiling-pg.mjs';
import { cleanRedis, fmt, Generator, postgresPidsOf, progress, redisPid, step } from './common.mjs';
import { CpuMeter } from './procstat.mjs';
import { Seeder } from './seed.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const env = process.env;
const REPEATS = Number(env.BENCH_REPEATS ?? 3);
const SECONDS = Number(env.BENCH_SECONDS ?? 10);
const RATE = Number(env.BENCH_RATE ?? 1000);
const PAIRS = Number(env.BENCH_PAIRS ?? 500);
const WINDOW = Number(env.BENCH_WINDOW ?? 4);
const IDLE = Number(env.BENCH_IDLE ?? 15000);
const GROUP = Number(env.BENCH_GROUP ?? 500);
const ONLY = env.BENCH_ONLY ? new Set(env.BENCH_ONLY.split(',')) : undefined;
const wants = (s) => !ONLY || ONLY.has(s);
const BYTES = 100;

/** A counter of the gateway's router (protocol.md section 8), summed over its labels or of one kind. */
async function routerCounter(url, name, kind) {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && (kind === undefined || l.includes(`kind="${kind}"`)))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs) => (xs.length > 1 ? `${fmt(Math.min(...xs), 1)}–${fmt(Math.max(...xs), 1)}` : '');

/** Counts what each conversation's receiver got against what its sender had acked. */
function check(acked, received) {
  let lost = 0;
  let duplicates = 0;
  let delivered = 0;
  for (const [conv, seqs] of Object.entries(acked)) {
    const got = new Map(received[conv] ?? []);
    for (const seq of seqs) {
      const n = got.get(seq) ?? 0;
      if (n === 0) lost++;
      else {
        delivered++;
        if (n > 1) duplicates += n - 1;
      }
    }
  }
  // A gap: a seq missing between two delivered ones of a conversation.
  let gaps = 0;
  for (const entries of Object.values(received)) {
    const seqs = entries.map(([s]) => s).sort((a, b) => a - b);
    for (let i = 1; i < seqs.length; i++) if (seqs[i] !== seqs[i - 1] + 1) gaps += seqs[i] - seqs[i - 1] - 1;
  }
  return { lost, duplicates, delivered, gaps };
}

async function main() {
  const pgServer = await testPostgres();
  const redisUrl = await testRedisUrl();
  if (!redisUrl) throw new Error('the bench runs two gateways and needs Redis (127.0.0.1:6379 or TEST_REDIS_URL)');
  const prefix = `im-bench-${Date.now()}:`;
  const dbs = { seaking: await createDatabase(pgServer, 'bench_seaking'), relay: await createDatabase(pgServer, 'bench_relay'), pg: await createDatabase(pgServer, 'bench_pg') };
  const dbNames = Object.values(dbs).map((d) => d.name);
  const children = [];
  const generators = [];
  const results = { date: new Date().toISOString(), machine: `${(await import('node:os')).cpus().length} cores`, options: { REPEATS, SECONDS, RATE, PAIRS, WINDOW }, scenarios: {} };
  try {
    const secrets = { JWT_SECRET: crypto.randomBytes(24).toString('hex'), INTERNAL_TOKEN: crypto.randomBytes(24).toString('hex'), LOG_LEVEL: 'warn' };
    const ports = { seaking: await freePort(), relay: await freePort(), gw1: await freePort(), gw2: await freePort(), bare: await freePort() };
    const start = async (name, entry, port, extra) => {
      const nodeArgs = ['--max-semi-space-size=16', ...(env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(env.BENCH_PROFILE_DIR)}`] : [])];
      const s = await spawnService({ name, entry: path.join(root, 'services', entry, 'dist', 'main.js'), port, env: { ...secrets, ...extra }, nodeArgs });
      children.push(s);
      return s;
    };
    step('starting the cluster: seaking, relay, two gateways joined through Redis');
    const seaking = await start('seaking', 'seaking', ports.seaking, { DATABASE_URL: dbs.seaking.url, PRUNE_INTERVAL: '0' });
    const relay = await start('relay', 'relay', ports.relay, { DATABASE_URL: dbs.relay.url, ...JSON.parse(env.BENCH_RELAY_ENV ?? '{}') });
    const gatewayEnv = (id) => ({
      GATEWAY_ID: id,
      SEAKING_URL: seaking.url,
      RELAY_URL: relay.url,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      EVENT_RATE: '0',
      COMMAND_RATE: '0',
      MAX_CONN_PER_USER: '1000',
      REGISTER_PER_ADDRESS: '0',
    });
    const gw1 = await start('gateway1', 'gateway', ports.gw1, gatewayEnv('gw1'));
    const gw2 = await start('gateway2', 'gateway', ports.gw2, gatewayEnv('gw2'));
    const ws = (g) => g.url.replace('http', 'ws') + '/ws';
    const redisProcess = await redisPid(redisUrl);
    const pgPids = postgresPidsOf(dbNames);
    const senders = new Generator('senders');
    const receivers = new Generator('receivers');
    generators.push(senders, receivers);
    await Promise.all([senders.ready, receivers.ready]);
    const meter = new CpuMeter({
      gateway1: () => [gw1.child.pid],
      gateway2: () => [gw2.child.pid],
      relay: () => [relay.child.pid],
      seaking: () => [seaking.child.pid],
      postgres: pgPids,
      redis: () => (redisProcess ? [redisProcess] : []),
      generators: () => generators.map((g) => g.pid),
    });
    const SERVER = ['gateway1', 'gateway2', 'relay', 'seaking', 'postgres', 'redis'];

    step(`seeding ${PAIRS * 2} users in ${PAIRS} pairs of friends, and a group of ${GROUP}`);
    const seeder = new Seeder(dbs.seaking.url, secrets.JWT_SECRET);
    const a = await seeder.users(PAIRS, 'a');
    const b = await seeder.users(PAIRS, 'b');
    const conversations = await seeder.pairs(a.map((u, i) => [u, b[i]]));
    const members = await seeder.users(GROUP, 'm');
    const group = await seeder.group(members, 'fan-out');
    const idleUsers = await seeder.users(50, 'idle');
    await seeder.close();

    if (wants('idle')) {
      step(`memory: ${IDLE} idle sockets on a gateway that has not been through load`);
      const before = (await import('./procstat.mjs')).rssBytes(gw1.child.pid);
      const tokens = Array.from({ length: IDLE }, (_, i) => idleUsers[i % idleUsers.length].token);
      const opened = await receivers.call({ op: 'open', url: ws(gw1), tokens });
      await new Promise((r) => setTimeout(r, 2000));
      const after = (await import('./procstat.mjs')).rssBytes(gw1.child.pid);
      await receivers.call({ op: 'close' });
      const perSocket = (after - before) / opened.opened;
      progress(`${fmt(opened.opened)} open (${opened.failures} refused); ${fmt(perSocket / 1024, 1)} KiB per idle socket`);
      results.scenarios.idle = { sockets: opened.opened, kibPerSocket: perSocket / 1024 };
      await new Promise((r) => setTimeout(r, 3000));
    }

    if (wants('storm')) {
      step(`reconnect storm: ${PAIRS * 2} clients open and authenticate at once`);
      const runs = [];
      const cpuPerSocket = [];
      for (let r = 0; r < REPEATS; r++) {
        meter.start();
        const res = await senders.call({ op: 'open', url: ws(gw1), tokens: [...a, ...b].map((u) => u.token), concurrency: PAIRS * 2 });
        // Until the sockets' registrations and presence notices are done too.
        await new Promise((r2) => setTimeout(r2, 500));
        const cpu = meter.stop();
        await senders.call({ op: 'close' });
        runs.push(res.ms);
        const perSocket = Object.entries(cpu.groups)
          .filter(([, g]) => g.cpuSeconds > 0)
          .map(([k, g]) => `${k} ${fmt((1e6 * g.cpuSeconds) / Math.max(1, res.opened))}`)
          .join(', ');
        cpuPerSocket.push(perSocket);
        progress(`run ${r + 1}: ${fmt(res.opened)} open in ${fmt(res.ms)} ms (${res.failures} refused${res.firstFailure ? `: ${res.firstFailure}` : ''}); CPU µs per socket: ${perSocket}`);
        await new Promise((r2) => setTimeout(r2, 1000));
      }
      results.scenarios.storm = { clients: PAIRS * 2, ms: median(runs), runs, cpuPerSocket };
    }

    // Senders on gateway 1, receivers on gateway 2: every message crosses gateways.
    const routes = a.map((_, i) => ({ socket: i, conversation_id: conversations[i] }));
    const loadRuns = async (label, target, mode) => {
      const runs = [];
      for (let r = 0; r < REPEATS; r++) {
        await receivers.call({ op: 'report' });
        const publishedBefore = target === 'cluster' ? await routerCounter(gw1.url, 'im_router_publishes_total', 'delivery') : 0;
        meter.start();
        const sent =
          mode === 'rate'
            ? await senders.call({ op: 'rate', routes, rate: RATE, seconds: SECONDS, bytes: BYTES, tag: `${label}-${r}-${Date.now()}` })
            : await senders.call({ op: 'window', routes, window: WINDOW, seconds: SECONDS, bytes: BYTES, tag: `${label}-${r}-${Date.now()}` });
        await new Promise((r2) => setTimeout(r2, 500));
        const cpu = meter.stop();
        const got = await receivers.call({ op: 'report' });
        const c = check(sent.acked, got.received);
        const acked = Object.values(sent.acked).reduce((s, l) => s + l.length, 0);
        // Messages gateway 1 published to gateway 2 for these pushes (several of a moment go as one).
        const routerMessages = target === 'cluster' ? (await routerCounter(gw1.url, 'im_router_publishes_total', 'delivery')) - publishedBefore : 0;
        const serverCpu = target === 'cluster' ? SERVER.reduce((s, g) => s + cpu.groups[g].cpuSeconds, 0) : cpu.groups.bare?.cpuSeconds ?? 0;
        const run = {
          throughput: mode === 'rate' ? acked / SECONDS : sent.throughput,
          acked,
          errors: sent.errors,
          unanswered: sent.unanswered,
          ...c,
          latency: got.latency,
          ack: sent.ack,
          cpu: Object.fromEntries(Object.entries(cpu.groups).map(([k, v]) => [k, v.corePercent])),
          serverCorePercent: (100 * serverCpu) / cpu.seconds,
          serverCpuUsPerMessage: (1e6 * serverCpu) / Math.max(1, acked),
          routerMessages,
        };
        runs.push(run);
        const errs = Object.entries(sent.errors).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
        progress(
          `run ${r + 1}: ${fmt(run.throughput)} msgs/s acked; send→deliver p50 ${fmt(got.latency.p50, 2)} ms, p99 ${fmt(got.latency.p99, 2)} ms, p99.9 ${fmt(got.latency.p999, 2)} ms; ` +
            `servers ${fmt(run.serverCorePercent)} % of a core (${fmt(run.serverCpuUsPerMessage)} µs/msg); ` +
            (target === 'cluster' ? `${fmt(routerMessages)} router messages between the gateways (${fmt(acked / Math.max(1, routerMessages), 1)} pushes each); ` : '') +
            `errors: ${errs}; unanswered ${sent.unanswered}; lost ${c.lost}, duplicates ${c.duplicates}, gaps ${c.gaps}`,
        );
      }
      return runs;
    };

    if (wants('rate') || wants('saturation')) {
      step(`opening ${PAIRS} senders on gateway 1 and ${PAIRS} receivers on gateway 2`);
      const s = await senders.call({ op: 'open', url: ws(gw1), tokens: a.map((u) => u.token) });
      const r = await receivers.call({ op: 'open', url: ws(gw2), tokens: b.map((u) => u.token) });
      progress(`${s.opened} + ${r.opened} open`);
      // Warm the members caches and the relay's statements.
      await senders.call({ op: 'rate', routes, rate: Math.min(RATE, 2000), seconds: 2, bytes: BYTES, tag: `warm-${Date.now()}` });
      await receivers.call({ op: 'report' });
      if (wants('rate')) {
        step(`rate: ${fmt(RATE)} msgs/s for ${SECONDS} s, open loop, 100-byte messages across gateways, ack = committed`);
        results.scenarios.rate = await loadRuns('rate', 'cluster', 'rate');
      }
      if (wants('saturation')) {
        step(`saturation: ${PAIRS} senders keep ${WINDOW} messages each in flight for ${SECONDS} s`);
        results.scenarios.saturation = await loadRuns('sat', 'cluster', 'window');
      }
      await senders.call({ op: 'close' });
      await receivers.call({ op: 'close' });
    }

    if (wants('fanout')) {
      step(`fan-out: a group of ${GROUP}, every member connected to gateway 2, messages sent on gateway 1`);
      await receivers.call({ op: 'open', url: ws(gw2), tokens: members.slice(1).map((u) => u.token) });
      await senders.call({ op: 'open', url: ws(gw1), tokens: [members[0].token] });
      const runs = [];
      for (let r = 0; r < REPEATS; r++) {
        await receivers.call({ op: 'report' });
        await senders.call({ op: 'rate', routes: [{ socket: 0, conversation_id: group }], rate: 5, seconds: Math.min(SECONDS, 6), bytes: BYTES, tag: `fan-${r}-${Date.now()}` });
        await new Promise((r2) => setTimeout(r2, 1000));
        const got = await receivers.call({ op: 'report', members: GROUP - 1 });
        runs.push(got.fanout);
        progress(`run ${r + 1}: ${got.fanout.count} messages reached all ${GROUP - 1} members; until the last: p50 ${fmt(got.fanout.p50, 1)} ms, p99 ${fmt(got.fanout.p99, 1)} ms; incomplete ${got.fanout.incomplete}`);
      }
      results.scenarios.fanout = runs;
      await senders.call({ op: 'close' });
      await receivers.call({ op: 'close' });
    }

    if (wants('readby')) {
      const CALLS = 300;
      step(`read-by: get_read_receipts of a message in the group of ${GROUP}, ${CALLS} calls one after another, beside ping on the same socket`);
      const sock = await ImSocket.connect(ws(gw1), members[0].token);
      try {
        const { seq } = await sock.sendText(group, 'who read this?');
        const timed = async (call) => {
          const ms = [];
          for (let i = 0; i < CALLS; i++) {
            const t = performance.now();
            await call();
            ms.push(performance.now() - t);
          }
          ms.sort((x, y) => x - y);
          return { p50: ms[Math.floor(ms.length / 2)], p99: ms[Math.floor(ms.length * 0.99)] };
        };
        const answer = await sock.request('get_read_receipts', { conversation_id: group, seq });
        if (answer.read.length + answer.unread.length !== GROUP) throw new Error(`read-by answered ${answer.read.length + answer.unread.length} members of ${GROUP}`);
        const readBy = await timed(() => sock.request('get_read_receipts', { conversation_id: group, seq }));
        const ping = await timed(() => sock.request('ping', {}));
        progress(`get_read_receipts (${GROUP} members): p50 ${fmt(readBy.p50, 2)} ms, p99 ${fmt(readBy.p99, 2)} ms; ping p50 ${fmt(ping.p50, 2)} ms, p99 ${fmt(ping.p99, 2)} ms`);
        results.scenarios.readBy = { ...readBy, pingP50: ping.p50, pingP99: ping.p99 };
      } finally {
        sock.terminate();
      }
    }

    if (wants('ceilings')) {
      step('ceiling: a bare ws relay in its own process (the same frames, acks and pushes; no validation, storage or routing)');
      const bare = fork(path.join(root, 'scripts/bench/ceiling-ws.mjs'), [], { env: { ...env, PORT: String(ports.bare) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      await new Promise((r) => bare.once('message', r));
      const memberMap = Object.fromEntries(conversations.map((c, i) => [c, [a[i].user_id, b[i].user_id]]));
      bare.send({ op: 'members', members: memberMap });
      await new Promise((r) => bare.once('message', r));
      meter.groups.bare = () => [bare.pid];
      const url = `ws://127.0.0.1:${ports.bare}/`;
      await senders.call({ op: 'open', url, tokens: a.map((u) => u.user_id) });
      await receivers.call({ op: 'open', url, tokens: b.map((u) => u.user_id) });
      step(`ceiling, rate: ${fmt(RATE)} msgs/s`);
      results.scenarios.bareRate = await loadRuns('bare-rate', 'bare', 'rate');
      step(`ceiling, saturation: window ${WINDOW}`);
      results.scenarios.bareSaturation = await loadRuns('bare-sat', 'bare', 'window');
      await senders.call({ op: 'close' });
      await receivers.call({ op: 'close' });
      bare.kill('SIGKILL');
      delete meter.groups.bare;

      step("ceiling: bare PostgreSQL running the relay's store statement in a loop");
      const migrations = path.join(root, 'services/relay/migrations');
      const one = await pgCeiling(dbs.pg.url, migrations, { batch: 1, connections: 8, seconds: Math.min(SECONDS, 5) });
      progress(`1 event per statement, 8 connections: ${fmt(one.eventsPerSecond)} events/s`);
      const many = await pgCeiling(dbs.pg.url, migrations, { batch: 100, connections: 4, seconds: Math.min(SECONDS, 5), pids: postgresPidsOf([dbs.pg.name]) });
      progress(`100 events per statement, 4 connections: ${fmt(many.eventsPerSecond)} events/s; PostgreSQL ${fmt(many.pgCpuUsPerEvent)} µs CPU per event, its caller ${fmt(many.callerCpuUsPerEvent)} µs`);
      // The floor under the CPU target at a light rate: one event per commit, nothing batched.
      const lone = await pgCeiling(dbs.pg.url, migrations, { batch: 1, connections: 1, seconds: Math.min(SECONDS, 5), pids: postgresPidsOf([dbs.pg.name]) });
      progress(`1 event per statement, 1 connection: ${fmt(lone.eventsPerSecond)} events/s; PostgreSQL ${fmt(lone.pgCpuUsPerEvent)} µs CPU per event, its caller ${fmt(lone.callerCpuUsPerEvent)} µs`);
      results.scenarios.pg = { one: one.eventsPerSecond, batched: many.eventsPerSecond, batchedPgUs: many.pgCpuUsPerEvent, lonePgUs: lone.pgCpuUsPerEvent, loneCallerUs: lone.callerCpuUsPerEvent };
    }
  } finally {
    for (const g of generators) g.child.kill('SIGKILL');
    for (const c of children) await c.stop('SIGTERM');
    for (const d of Object.values(dbs)) await d.drop().catch(() => undefined);
    await cleanRedis(redisUrl, prefix);
    if (pgServer.embedded) await pgServer.stop();
  }
  table(results);
  if (env.BENCH_OUT) fs.writeFileSync(env.BENCH_OUT, JSON.stringify(results, null, 2));
}

/** The results as a markdown table, the same that goes into the README. */
function table(results) {
  const s = results.scenarios;
  const rows = [];
  const pick = (runs, f) => (runs ? runs.map(f) : []);
  const m = (runs, f, d = 0) => (runs ? `${fmt(median(pick(runs, f)), d)}` : '–');
  const sp = (runs, f) => (runs ? spread(pick(runs, f)) : '');
  const ratio = (x, y, d = 2) => (Number.isFinite(x) && Number.isFinite(y) && y > 0 ? `${fmt(x / y, d)}×` : '–');
  const faults = (runs) => (runs ? runs.map((r) => r.lost + r.duplicates + r.gaps + r.unanswered + Object.values(r.errors).reduce((a, b) => a + b, 0)).reduce((a, b) => a + b, 0) : 0);
  if (s.saturation) {
    const cl = median(pick(s.saturation, (r) => r.throughput));
    const bare = s.bareSaturation ? median(pick(s.bareSaturation, (r) => r.throughput)) : NaN;
    rows.push(['durable 1:1 throughput, saturation (msgs/s)', m(s.saturation, (r) => r.throughput), sp(s.saturation, (r) => r.throughput), `bare ws relay ${m(s.bareSaturation, (r) => r.throughput)}; bare PG statement ×100: ${fmt(s.pg?.batched)}`, ratio(cl, bare), '≥ 20,000']);
    rows.push(['  servers at saturation (% of one core, µs CPU/msg)', `${m(s.saturation, (r) => r.serverCorePercent)} %, ${m(s.saturation, (r) => r.serverCpuUsPerMessage)} µs`, '', `bare ws relay: ${m(s.bareSaturation, (r) => r.serverCorePercent)} %`, '', '']);
  }
  if (s.rate) {
    rows.push([`send→deliver p50 at ${fmt(RATE)}/s (ms)`, m(s.rate, (r) => r.latency.p50, 2), sp(s.rate, (r) => r.latency.p50), `bare ws relay ${m(s.bareRate, (r) => r.latency.p50, 2)}`, ratio(median(pick(s.rate, (r) => r.latency.p50)), s.bareRate ? median(pick(s.bareRate, (r) => r.latency.p50)) : NaN, 1), '']);
    rows.push([`send→deliver p99 at ${fmt(RATE)}/s (ms)`, m(s.rate, (r) => r.latency.p99, 2), sp(s.rate, (r) => r.latency.p99), `bare ws relay ${m(s.bareRate, (r) => r.latency.p99, 2)}`, ratio(median(pick(s.rate, (r) => r.latency.p99)), s.bareRate ? median(pick(s.bareRate, (r) => r.latency.p99)) : NaN, 1), '≤ 5 ms']);
    const floor = s.pg ? `; PG alone, a commit per event: ${fmt((s.pg.lonePgUs * RATE) / 1e4)} % + its caller ${fmt((s.pg.loneCallerUs * RATE) / 1e4)} %` : '';
    rows.push([`all server processes at ${fmt(RATE)}/s (% of one core)`, m(s.rate, (r) => r.serverCorePercent), sp(s.rate, (r) => r.serverCorePercent), `bare ws relay ${m(s.bareRate, (r) => r.serverCorePercent)} %${floor}`, '', '≤ 25 %']);
    const parts = ['gateway1', 'gateway2', 'relay', 'seaking', 'postgres', 'redis', 'generators'].map((g) => `${g} ${m(s.rate, (r) => r.cpu[g])}`).join(', ');
    rows.push(['  of which (% of one core)', parts, '', '', '', '']);
  }
  if (s.storm) rows.push([`${fmt(s.storm.clients)} clients reconnect and authenticate (ms)`, fmt(s.storm.ms), spread(s.storm.runs), '', '', '< 500 ms']);
  if (s.fanout) rows.push([`${fmt(GROUP)}-member group: last member's delivery p99 (ms)`, m(s.fanout, (r) => r.p99, 1), sp(s.fanout, (r) => r.p99), '', '', '< 100 ms']);
  if (s.readBy) rows.push([`${fmt(GROUP)}-member group: get_read_receipts p50 / p99 (ms)`, `${fmt(s.readBy.p50, 2)} / ${fmt(s.readBy.p99, 2)}`, '', `ping on the same socket ${fmt(s.readBy.pingP50, 2)} / ${fmt(s.readBy.pingP99, 2)}`, `${fmt(s.readBy.p50 / s.readBy.pingP50, 1)}×`, '']);
  if (s.idle) rows.push(['memory per idle socket (KiB)', fmt(s.idle.kibPerSocket, 1), '', '', '', '< 12 KiB']);
  if (s.pg) rows.push(["bare PG, relay's statement (events/s; PostgreSQL µs CPU per event)", `1/statement ${fmt(s.pg.one)}; 100/statement ${fmt(s.pg.batched)} (${fmt(s.pg.batchedPgUs)} µs); alone, one at a time: ${fmt(s.pg.lonePgUs)} µs`, '', '', '', '']);
  const f = faults(s.rate) + faults(s.saturation) + faults(s.bareRate) + faults(s.bareSaturation);
  rows.push(['errors, losses, duplicates, gaps (all runs)', fmt(f), '', '', '', '0']);
  step(`results (${results.date}, ${results.machine}, median of ${REPEATS} runs; spread = min–max)`);
  const header = ['measure', 'cluster', 'spread', 'ceiling in the same run', 'ratio', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
