// CPU time and memory of processes, read from /proc: the bench reports what each part of
// the system costs, not only how fast it goes.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
export function cpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
  }
}

export function rssBytes(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
  } catch {
    return 0;
  }
}

/** Every process with this command name (e.g. all of PostgreSQL's backends and helpers). */
export function pidsNamed(name) {
  const pids = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

/**
 * Groups of processes (name → function returning pids, re-read at each sample so new
 * backends count). `start()` then `stop()` gives CPU seconds and peak RSS per group.
 */
export class CpuMeter {
  constructor(groups) {
    this.groups = groups;
  }

  sample() {
    const out = {};
    for (const [name, pids] of Object.entries(this.groups)) {
      const list = pids();
      out[name] = { cpu: new Map(list.map((p) => [p, cpuSeconds(p)])), rss: list.reduce((s, p) => s + rssBytes(p), 0) };
    }
    return out;
  }

  start() {
    this.startedAt = process.hrtime.bigint();
    this.before = this.sample();
  }

  /** Per group: CPU seconds used since start(), as % of one core, and RSS now. */
  stop() {
    const seconds = Number(process.hrtime.bigint() - this.startedAt) / 1e9;
    const after = this.sample();
    const result = { seconds, groups: {} };
    for (const name of Object.keys(this.groups)) {
      let used = 0;
      for (const [pid, cpu] of after[name].cpu) used += cpu - (this.before[name].cpu.get(pid) ?? 0);
      result.groups[name] = { cpuSeconds: used, corePercent: (100 * used) / seconds, rss: after[name].rss };
    }
    return result;
  }
}
