// What the bench scripts share: output, load generator processes, which processes to meter,
// and cleaning up after a run.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { pidsNamed } from './procstat.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

export const step = (text) => process.stdout.write(`\n== ${text}\n`);
export const progress = (text) => process.stdout.write(`   ${text}\n`);
export const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '–');

/** Corks a ws socket until the end of this tick: the frames sent meanwhile leave in one write. */
export function corkTick(ws) {
  const raw = ws._socket;
  if (raw && !ws._corked) {
    ws._corked = true;
    raw.cork();
    process.nextTick(() => {
      ws._corked = false;
      raw.uncork();
    });
  }
}

/** A load generator process (loadgen.mjs), driven over IPC. */
export class Generator {
  constructor(name) {
    this.name = name;
    this.child = fork(path.join(here, 'loadgen.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--max-semi-space-size=16'] });
    this.ready = new Promise((resolve) => this.child.once('message', resolve));
    this.pending = [];
    this.child.on('message', (msg) => this.pending.shift()?.(msg));
  }

  call(msg) {
    return new Promise((resolve, reject) => {
      this.pending.push((reply) => (reply.error ? reject(new Error(`${this.name}: ${reply.error}`)) : resolve(reply.result)));
      this.child.send(msg);
    });
  }

  get pid() {
    return this.child.pid;
  }
}

/** PostgreSQL's own helper processes and the backends of these databases, not other databases' backends. */
export function postgresPidsOf(dbNames) {
  return () =>
    pidsNamed('postgres').filter((p) => {
      try {
        const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8');
        return !/postgres: \S+ \S+ /.test(cmd) || dbNames.some((d) => cmd.includes(` ${d} `));
      } catch {
        return false;
      }
    });
}

/** The pid of the Redis server at this URL (0 when it does not say). */
export async function redisPid(url) {
  const probe = new Redis(url);
  try {
    return Number(/process_id:(\d+)/.exec(await probe.info('server'))?.[1] ?? 0);
  } finally {
    probe.disconnect();
  }
}

/** Deletes every key under the prefix. */
export async function cleanRedis(url, prefix) {
  const r = new Redis(url);
  try {
    const keys = await r.keys(`${prefix}*`);
    for (let i = 0; i < keys.length; i += 500) await r.del(...keys.slice(i, i + 500));
  } finally {
    r.disconnect();
  }
}
