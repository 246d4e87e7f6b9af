import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
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
  const kill = async () => {
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
  };
  const stop = async () => {
    await kill();
    await rm(dir, { recursive: true, force: true });
  };
  // A port picked free can be taken before its node binds it (or picked twice): such a
  // node exits at once. Then every node is started again on other ports, up to 3 times.
  for (let attempt = 1; ; attempt++) {
    try {
      await launch(nodes, dir, masters, replicas, options, timeoutMs);
      break;
    } catch (err) {
      if (!(err instanceof NodeExited) || attempt >= 3) {
        await stop();
        throw err;
      }
      // Start afresh: no node, no cluster config left from this attempt.
      await kill();
      nodes.length = 0;
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
    }
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

/** A node that exited before answering: its port was taken. */
class NodeExited extends Error {}

/** Ports free a moment ago, all different. */
async function distinctPorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

async function launch(nodes: RedisClusterNode[], dir: string, masters: number, replicas: number, options: RedisClusterOptions, timeoutMs: number): Promise<void> {
  const count = masters * (1 + replicas);
  const ports = await distinctPorts(count * 2);
  for (let i = 0; i < count; i++) {
    const port = ports[2 * i]!;
    const busPort = ports[2 * i + 1]!;
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
  for (const n of nodes) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (n.process.exitCode !== null || n.process.signalCode !== null) throw new NodeExited(`redis cluster: node ${n.port} exited at start`);
      if ((await ask(n.port, (r) => r.ping()).catch(() => undefined)) === 'PONG') break;
      if (Date.now() > deadline) throw new Error(`redis cluster: node ${n.port} not answering in ${timeoutMs} ms`);
      await sleep(100);
    }
  }
  const create = spawnSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `${n.host}:${n.port}`), '--cluster-replicas', String(replicas), '--cluster-yes'], { encoding: 'utf8', timeout: timeoutMs });
  if (create.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${create.stdout}\n${create.stderr}`);
  await untilHealthy(nodes, masters, timeoutMs);
}
