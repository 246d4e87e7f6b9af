import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';

export interface RedisClusterNode {
  host: string;
  port: number;
  process: ChildProcess;
}

export interface RedisCluster {
  nodes: RedisClusterNode[];
  /** Every node as one URL, the form `REDIS_URL` takes for a cluster: `redis://h1:p1,h2:p2,…`. */
  url: string;
  /** The node (master now) serving the slot of a key or sharded channel. */
  ownerOf(key: string): Promise<RedisClusterNode>;
  /** Kills a node at once (SIGKILL) and waits until a replica serves its slots and the cluster is ok. */
  failover(node: RedisClusterNode, timeoutMs?: number): Promise<RedisClusterNode[]>;
  stop(): Promise<void>;
}

export interface RedisClusterOptions {
  masters?: number;
  replicasPerMaster?: number;
  /** cluster-node-timeout: how long a silent master takes to be replaced. */
  nodeTimeoutMs?: number;
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether redis-server and redis-cli are on the PATH. */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0 && spawnSync('redis-cli', ['--version']).status === 0;
}

async function ask<T>(port: number, run: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({ host: '127.0.0.1', port, lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return await run(r);
  } finally {
    r.disconnect();
  }
}

function info(text: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*)$`, 'm').exec(text)?.[1]?.trim();
}

/** Polls until `check` holds, or throws with the last reason. */
async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    await sleep(100);
  }
  throw new Error(`redis cluster: ${what} not reached in ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
}

/**
 * Starts a real Redis Cluster on free ports of 127.0.0.1: `masters` masters with
 * `replicasPerMaster` replicas each (so a killed master is replaced), data in a temp folder
 * removed on stop. Needs redis-server and redis-cli 7 or newer (sharded pub/sub).
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 1;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'im-redis-cluster-'));
  const nodes: RedisClusterNode[] = [];
  const stop = async () => {
    await Promise.all(
      nodes.map(
        (n) =>
          new Promise<void>((resolve) => {
            if (n.process.exitCode !== null || n.process.signalCode !== null) return resolve();
            n.process.once('exit', () => resolve());
            n.process.kill('SIGKILL');
          }),
      ),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters * (1 + replicas); i++) {
      const port = await freePort();
      const busPort = await freePort();
      const child = spawn(
        'redis-server',
        [
          '--port', String(port),
          '--cluster-port', String(busPort),
          '--bind', '127.0.0.1',
          '--cluster-enabled', 'yes',
          '--cluster-config-file', `nodes-${port}.conf`,
          '--cluster-node-timeout', String(options.nodeTimeoutMs ?? 1000),
          // A replica may always take over, however long it was apart from its master.
          '--cluster-replica-validity-factor', '0',
          '--dir', dir,
          '--dbfilename', `dump-${port}.rdb`,
          '--save', '',
          '--appendonly', 'no',
          '--daemonize', 'no',
          '--loglevel', 'warning',
        ],
        { stdio: 'ignore' },
      );
      nodes.push({ host: '127.0.0.1', port, process: child });
    }
    for (const n of nodes) await until(`node ${n.port} answering`, timeoutMs, async () => (await ask(n.port, (r) => r.ping())) === 'PONG');
    const create = spawnSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `${n.host}:${n.port}`), '--cluster-replicas', String(replicas), '--cluster-yes'], { encoding: 'utf8', timeout: timeoutMs });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${create.stdout}\n${create.stderr}`);
    await untilHealthy(nodes, masters, timeoutMs);
  } catch (err) {
    await stop();
    throw err;
  }

  const alive = () => nodes.filter((n) => n.process.exitCode === null && n.process.signalCode === null);
  const ownerOf = async (key: string): Promise<RedisClusterNode> => {
    const n = alive()[0]!;
    const slot = await ask(n.port, (r) => r.cluster('KEYSLOT', key));
    const ranges = await ask(n.port, (r) => r.cluster('SLOTS'));
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    const port = range?.[2]?.[1];
    const owner = nodes.find((x) => x.port === port);
    if (!owner) throw new Error(`no node serves slot ${slot}`);
    return owner;
  };

  return {
    nodes,
    url: `redis://${nodes.map((n) => `${n.host}:${n.port}`).join(',')}`,
    ownerOf,
    failover: async (node, ms = timeoutMs) => {
      const ids = await ask(node.port, (r) => r.cluster('MYID'));
      await new Promise<void>((resolve) => {
        node.process.once('exit', () => resolve());
        node.process.kill('SIGKILL');
      });
      const rest = alive();
      // Every remaining node must see a new master for the lost one's slots, and ok again.
      await until('a replica taking over', ms, async () => {
        for (const n of rest) {
          const text = (await ask(n.port, (r) => r.cluster('NODES'))) as string;
          const line = text.split('\n').find((l) => l.startsWith(ids));
          // The lost master's line lists no slots any more.
          if (!line || line.trim().split(/\s+/).length > 8) return false;
          if (info((await ask(n.port, (r) => r.cluster('INFO'))) as string, 'cluster_state') !== 'ok') return false;
        }
        return true;
      });
      return rest;
    },
    stop,
  };
}

async function untilHealthy(nodes: RedisClusterNode[], masters: number, timeoutMs: number): Promise<void> {
  await until('cluster_state:ok on every node', timeoutMs, async () => {
    for (const n of nodes) {
      const text = (await ask(n.port, (r) => r.cluster('INFO'))) as string;
      if (info(text, 'cluster_state') !== 'ok' || Number(info(text, 'cluster_known_nodes')) !== nodes.length || Number(info(text, 'cluster_size')) !== masters) return false;
    }
    // Replicas in sync with their masters, so that a failover has a replica that may take over.
    for (const n of nodes) {
      const repl = await ask(n.port, (r) => r.info('replication'));
      if (info(repl, 'role') === 'slave' && info(repl, 'master_link_status') !== 'up') return false;
    }
    return true;
  });
}
