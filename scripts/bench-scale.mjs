#!/usr/bin/env node
// `make bench-scale`: the shape of a cluster that has outgrown one gateway, on this machine:
// four gateways joined through Redis, two relays on one PostgreSQL, one seaking. Users are
// spread over the gateways; 1:1 pairs and small groups talk, some within a gateway, most
// across. The routers' own counters show that each message is handed to Redis once per
// other gateway holding a recipient, never to every gateway; the run reports cross-gateway
// latency and what each gateway spends per message. docs/SCALING.md reads these figures.
//
// Options (environment):
//   BENCH_SECONDS (10)     length of the timed run
//   BENCH_RATE (2000)      messages a second, all conversations together
//   BENCH_USERS (800)      users, a quarter on each gateway
//   BENCH_REDIS_URL        a Redis (or Redis Cluster seed) other than the test default
//   BENCH_OUT              write the results as JSON there
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, freePort, spawnService, testPostgres, testRedisUrl } from '../packages/devkit/dist/index.js';
import { cleanRedis, fmt, Generator, postgresPidsOf, progress, redisPid, step } from './bench/common.mjs';
import { CpuMeter } from './bench/procstat.mjs';
import { Seeder } from './bench/seed.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const SECONDS = Number(env.BENCH_SECONDS ?? 10);
const RATE = Number(env.BENCH_RATE ?? 2000);
const USERS = Number(env.BENCH_USERS ?? 800);
const GATEWAYS = 4;
const GROUP_SIZE = 8;
const BYTES = 100;

/** Sums a Prometheus counter over its series, optionally only those with a label value. */
function counter(text, name, label) {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    if (label && !rest.includes(label)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

async function routerCounters(gateways) {
  const out = [];
  for (const g of gateways) {
    const text = await (await fetch(`${g.url}/metrics`)).text();
    out.push({
      // One per (event, other gateway that holds a recipient).
      handedOver: counter(text, 'im_router_deliveries_out_total'),
      // Redis PUBLISH commands carrying deliveries: a moment's deliveries to one gateway share one.
      publishes: counter(text, 'im_router_publishes_total', 'kind="delivery"'),
      received: counter(text, 'im_router_deliveries_in_total'),
    });
  }
  return out;
}

async function main() {
  const pgServer = await testPostgres();
  const redisUrl = env.BENCH_REDIS_URL ?? (await testRedisUrl());
  if (!redisUrl) throw new Error('the scale bench needs Redis (127.0.0.1:6379, TEST_REDIS_URL or BENCH_REDIS_URL)');
  const prefix = `im-scale-${Date.now()}:`;
  const dbs = { seaking: await createDatabase(pgServer, 'scale_seaking'), relay: await createDatabase(pgServer, 'scale_relay') };
  const dbNames = Object.values(dbs).map((d) => d.name);
  const children = [];
  const generators = [];
  const results = { date: new Date().toISOString(), machine: `${(await import('node:os')).cpus().length} cores`, options: { SECONDS, RATE, USERS, GATEWAYS, GROUP_SIZE } };
  try {
    const secrets = { JWT_SECRET: crypto.randomBytes(24).toString('hex'), INTERNAL_TOKEN: crypto.randomBytes(24).toString('hex'), LOG_LEVEL: 'warn' };
    const start = async (name, entry, extra) => {
      const s = await spawnService({ name, entry: path.join(root, 'services', entry, 'dist', 'main.js'), port: await freePort(), env: { ...secrets, ...extra }, nodeArgs: ['--max-semi-space-size=16'] });
      children.push(s);
      return s;
    };
    step(`starting seaking, two relays on one PostgreSQL, ${GATEWAYS} gateways joined through Redis`);
    const seaking = await start('seaking', 'seaking', { DATABASE_URL: dbs.seaking.url, PRUNE_INTERVAL: '0' });
    const relays = [];
    for (let i = 1; i <= 2; i++) relays.push(await start(`relay${i}`, 'relay', { DATABASE_URL: dbs.relay.url }));
    const gateways = [];
    for (let i = 1; i <= GATEWAYS; i++) {
      gateways.push(
        await start(`gateway${i}`, 'gateway', {
          GATEWAY_ID: `gw${i}`,
          SEAKING_URL: seaking.url,
          // Gateways 1 and 2 store through relay 1, gateways 3 and 4 through relay 2.
          RELAY_URL: relays[i <= GATEWAYS / 2 ? 0 : 1].url,
          REDIS_URL: redisUrl,
          REDIS_PREFIX: prefix,
          EVENT_RATE: '0',
          COMMAND_RATE: '0',
          MAX_CONN_PER_USER: '1000',
          REGISTER_PER_ADDRESS: '0',
        }),
      );
    }
    const ws = (g) => g.url.replace('http', 'ws') + '/ws';

    // Who sits where. Pairs: a fifth within one gateway, the rest across, every direction
    // alike. Groups of GROUP_SIZE: members spread over one to four gateways.
    step(`seeding ${fmt(USERS)} users: 1:1 pairs and groups of ${GROUP_SIZE}, spread over the gateways`);
    const seeder = new Seeder(dbs.seaking.url, secrets.JWT_SECRET);
    const pairCount = Math.floor(USERS / 4);
    const groupCount = Math.floor(USERS / 2 / GROUP_SIZE);
    const senders = await seeder.users(pairCount + groupCount, 's');
    const pairReceivers = await seeder.users(pairCount, 'r');
    const members = await seeder.users(groupCount * (GROUP_SIZE - 1), 'm');
    const pairConversations = await seeder.pairs(senders.slice(0, pairCount).map((u, i) => [u, pairReceivers[i]]));
    const plan = []; // per conversation: sender's gateway and each recipient's gateway
    for (let i = 0; i < pairCount; i++) {
      const from = i % GATEWAYS;
      const to = i % 5 === 0 ? from : (from + 1 + (Math.floor(i / GATEWAYS) % (GATEWAYS - 1))) % GATEWAYS;
      plan.push({ conversation_id: pairConversations[i], sender: senders[i], from, recipients: [{ user: pairReceivers[i], gw: to }] });
    }
    for (let g = 0; g < groupCount; g++) {
      const sender = senders[pairCount + g];
      const from = g % GATEWAYS;
      const spreadOver = 1 + (g % GATEWAYS); // this group's members sit on 1..4 gateways
      const mine = members.slice(g * (GROUP_SIZE - 1), (g + 1) * (GROUP_SIZE - 1));
      const conversation_id = await seeder.group([sender, ...mine], `scale-${g}`);
      plan.push({ conversation_id, sender, from, recipients: mine.map((user, k) => ({ user, gw: (from + (k % spreadOver)) % GATEWAYS })) });
    }
    await seeder.close();

    // Senders in one generator, receivers on the sender's gateway in another, receivers on
    // other gateways in a third: the last one's latency is the cross-gateway figure.
    const sending = new Generator('senders');
    const local = new Generator('local receivers');
    const remote = new Generator('remote receivers');
    generators.push(sending, local, remote);
    await Promise.all(generators.map((g) => g.ready));
    const routes = [];
    for (let gw = 0; gw < GATEWAYS; gw++) {
      const here = plan.filter((p) => p.from === gw);
      const before = (await sending.call({ op: 'open', url: ws(gateways[gw]), tokens: [] })).opened;
      await sending.call({ op: 'open', url: ws(gateways[gw]), tokens: here.map((p) => p.sender.token) });
      here.forEach((p, k) => routes.push({ socket: before + k, conversation_id: p.conversation_id, plan: p }));
      const recips = plan.flatMap((p) => p.recipients.filter((r) => r.gw === gw).map((r) => ({ r, localToSender: p.from === gw })));
      await local.call({ op: 'open', url: ws(gateways[gw]), tokens: recips.filter((x) => x.localToSender).map((x) => x.r.user.token) });
      await remote.call({ op: 'open', url: ws(gateways[gw]), tokens: recips.filter((x) => !x.localToSender).map((x) => x.r.user.token) });
    }
    // Interleave the routes so every gateway sends all the time.
    routes.sort((x, y) => (x.conversation_id < y.conversation_id ? -1 : 1));
    const otherGateways = (p) => new Set(p.recipients.map((r) => r.gw).filter((gw) => gw !== p.from)).size;
    const cross = plan.filter((p) => otherGateways(p) > 0).length;
    progress(`${plan.length} conversations (${pairCount} pairs, ${groupCount} groups); ${cross} of them reach another gateway`);

    // Let every gateway learn every other's routes, warm caches and statements.
    await new Promise((r) => setTimeout(r, 1500));
    const bare = routes.map(({ socket, conversation_id }) => ({ socket, conversation_id }));
    await sending.call({ op: 'rate', routes: bare, rate: Math.min(RATE, 1000), seconds: 2, bytes: BYTES, tag: `warm-${Date.now()}` });
    await new Promise((r) => setTimeout(r, 500));
    await local.call({ op: 'report' });
    await remote.call({ op: 'report' });

    step(`load: ${fmt(RATE)} msgs/s for ${SECONDS} s, open loop, 100-byte messages`);
    const redisProcess = await redisPid(redisUrl);
    const groups = {
      ...Object.fromEntries(gateways.map((g, i) => [`gateway${i + 1}`, () => [g.child.pid]])),
      relay1: () => [relays[0].child.pid],
      relay2: () => [relays[1].child.pid],
      seaking: () => [seaking.child.pid],
      postgres: postgresPidsOf(dbNames),
      redis: () => (redisProcess ? [redisProcess] : []),
      generators: () => generators.map((g) => g.child.pid),
    };
    const meter = new CpuMeter(groups);
    const before = await routerCounters(gateways);
    meter.start();
    const sent = await sending.call({ op: 'rate', routes: bare, rate: RATE, seconds: SECONDS, bytes: BYTES, tag: `scale-${Date.now()}` });
    await new Promise((r) => setTimeout(r, 1000));
    const cpu = meter.stop();
    const after = await routerCounters(gateways);
    const gotLocal = await local.call({ op: 'report' });
    const gotRemote = await remote.call({ op: 'report' });

    // What the placement says each acked message must cost: one hand-over per other gateway
    // holding a recipient. A broadcast would be GATEWAYS - 1 for every message.
    const byConversation = new Map(plan.map((p) => [p.conversation_id, p]));
    let expected = 0;
    let acked = 0;
    const perGatewayMessages = new Array(GATEWAYS).fill(0);
    for (const [conv, seqs] of Object.entries(sent.acked)) {
      const p = byConversation.get(conv);
      expected += seqs.length * otherGateways(p);
      acked += seqs.length;
      perGatewayMessages[p.from] += seqs.length;
      for (const r of p.recipients) perGatewayMessages[r.gw] += seqs.length;
    }
    const handedOver = after.reduce((s, c, i) => s + c.handedOver - before[i].handedOver, 0);
    const publishes = after.reduce((s, c, i) => s + c.publishes - before[i].publishes, 0);
    const receivedIn = after.reduce((s, c, i) => s + c.received - before[i].received, 0);
    let delivered = 0;
    let lost = 0;
    let duplicates = 0;
    for (const [conv, seqs] of Object.entries(sent.acked)) {
      const p = byConversation.get(conv);
      const counts = new Map([...(gotLocal.received[conv] ?? []), ...(gotRemote.received[conv] ?? [])].reduce((m, [seq, n]) => m.set(seq, (m.get(seq) ?? 0) + n), new Map()));
      for (const seq of seqs) {
        const n = counts.get(seq) ?? 0;
        delivered += n;
        if (n < p.recipients.length) lost += p.recipients.length - n;
        if (n > p.recipients.length) duplicates += n - p.recipients.length;
      }
    }
    const gatewayRows = gateways.map((_, i) => {
      const g = cpu.groups[`gateway${i + 1}`];
      return { gateway: `gw${i + 1}`, corePercent: g.corePercent, cpuUsPerMessage: (1e6 * g.cpuSeconds) / Math.max(1, perGatewayMessages[i]), messages: perGatewayMessages[i] };
    });
    Object.assign(results, {
      acked,
      throughput: acked / SECONDS,
      errors: sent.errors,
      unanswered: sent.unanswered,
      lost,
      duplicates,
      delivered,
      expectedHandOvers: expected,
      handedOver,
      publishes,
      receivedIn,
      broadcastWouldBe: acked * (GATEWAYS - 1),
      latency: { local: gotLocal.latency, crossGateway: gotRemote.latency },
      ack: sent.ack,
      gateways: gatewayRows,
      cpu: Object.fromEntries(Object.entries(cpu.groups).map(([k, v]) => [k, v.corePercent])),
    });

    step(`results (${results.date}, ${results.machine})`);
    const errs = Object.entries(sent.errors).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
    console.log(`| measure | figure |`);
    console.log(`|---|---|`);
    console.log(`| acked (msgs/s) | ${fmt(acked / SECONDS)} (errors: ${errs}; unanswered ${sent.unanswered}; lost ${lost}; duplicates ${duplicates}) |`);
    console.log(`| hand-overs to other gateways: counted by the routers / expected from placement | ${fmt(handedOver)} / ${fmt(expected)} (a broadcast would be ${fmt(acked * (GATEWAYS - 1))}) |`);
    console.log(`| Redis PUBLISH commands carrying them | ${fmt(publishes)} (${fmt(handedOver / Math.max(1, publishes), 1)} hand-overs each); received by gateways: ${fmt(receivedIn)} |`);
    console.log(`| send→deliver, same gateway: p50 / p99 (ms) | ${fmt(gotLocal.latency.p50, 2)} / ${fmt(gotLocal.latency.p99, 2)} |`);
    console.log(`| send→deliver, across gateways: p50 / p99 (ms) | ${fmt(gotRemote.latency.p50, 2)} / ${fmt(gotRemote.latency.p99, 2)} |`);
    for (const g of gatewayRows) console.log(`| ${g.gateway}: % of one core; µs CPU per message sent or delivered through it | ${fmt(g.corePercent)} %; ${fmt(g.cpuUsPerMessage)} µs (${fmt(g.messages)} messages) |`);
    console.log(`| relays, seaking, PostgreSQL, Redis, generators (% of one core) | ${['relay1', 'relay2', 'seaking', 'postgres', 'redis', 'generators'].map((k) => `${k} ${fmt(cpu.groups[k].corePercent)}`).join(', ')} |`);
    if (env.BENCH_OUT) fs.writeFileSync(env.BENCH_OUT, JSON.stringify(results, null, 2));
  } finally {
    for (const g of generators) g.child.kill('SIGKILL');
    for (const c of children) await c.stop('SIGTERM');
    for (const d of Object.values(dbs)) await d.drop().catch(() => undefined);
    await cleanRedis(redisUrl, prefix);
    if (pgServer.embedded) await pgServer.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
