import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '@im/kit';
import type { RedisTarget } from './redis-target.js';
import { slotOf } from './slot.js';

/** The commands side of the shared Redis: one server or a Redis Cluster, used alike. */
export type RedisClient = Redis | Cluster;

/**
 * How gateways reach each other through Redis. Over a standalone Redis: PUBLISH/SUBSCRIBE,
 * with one broadcast channel. Over a Redis Cluster: sharded pub/sub (SPUBLISH/SSUBSCRIBE,
 * Redis 7), where a message lives on the one shard that owns its channel's slot and there is
 * no broadcast: a message for every gateway goes to each one's own channel.
 */
export interface Bus {
  /** True when a message for all must go to each gateway's channel (no broadcast channel). */
  readonly perGateway: boolean;
  publish(channel: string, bytes: Buffer): Promise<unknown>;
  /**
   * Listens on the channels; `established` runs each time the subscription is made or made
   * again (after Redis, a connection or a shard's master went away).
   */
  listen(channels: string[], onMessage: (bytes: Buffer) => void, established: () => void): void;
  close(): void;
}

/** PUBLISH/SUBSCRIBE on a standalone Redis: its own connection resubscribes after reconnects. */
export class PubSubBus implements Bus {
  readonly perGateway = false;

  constructor(
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    private readonly logger: Logger,
  ) {}

  publish(channel: string, bytes: Buffer): Promise<unknown> {
    return this.redis.publish(channel, bytes);
  }

  listen(channels: string[], onMessage: (bytes: Buffer) => void, established: () => void): void {
    this.subscriber.on('messageBuffer', (_channel: Buffer, message: Buffer) => onMessage(message));
    this.subscriber.on('error', (err: Error) => this.logger.warn('redis subscriber problem', { err: err.message }));
    // ioredis subscribes again by itself before it says the connection is ready.
    this.subscriber.on('ready', established);
    // The connection starts with this (lazily), so its first 'ready' is not missed. A Redis
    // that is away at start is waited for.
    this.subscriber.subscribe(...channels).catch((err: Error) => this.logger.warn('subscribing failed', { err: err.message }));
  }

  close(): void {
    this.subscriber.disconnect();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One SSUBSCRIBE kept on whichever master serves the channel's slot now. When that
 * connection ends (the master died, the slot moved, the server dropped the subscription),
 * it finds the slot's master again, retrying with backoff through a failover, and
 * subscribes there; `established` runs once the subscription is confirmed.
 *
 * Not ioredis's own sharded subscribers (Cluster option `shardedSubscribers`): they report
 * `subscribersReady` before the SSUBSCRIBE is answered and on any change of the cluster's
 * layout, and a MOVED answer to SSUBSCRIBE leaves the call pending, so a resync could run
 * before the subscription is back, or never.
 */
class ShardSubscription {
  private conn: Redis | undefined;
  private stopped = false;
  private readonly slot: number;

  constructor(
    private readonly cluster: Cluster,
    private readonly channel: string,
    private readonly nodeOptions: RedisOptions,
    private readonly onMessage: (bytes: Buffer) => void,
    private readonly established: () => void,
    private readonly logger: Logger,
  ) {
    this.slot = slotOf(channel);
  }

  start(): void {
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.conn?.disconnect();
    this.conn = undefined;
  }

  /** The slot's master as the cluster client last heard, or any known node. */
  private target(attempt: number): { host: string; port: number } | undefined {
    const owner = this.cluster.slots[this.slot]?.[0];
    if (owner !== undefined && attempt % 4 !== 3) {
      const colon = owner.lastIndexOf(':');
      return { host: owner.slice(0, colon), port: Number(owner.slice(colon + 1)) };
    }
    const nodes = this.cluster.nodes('master');
    const node = nodes[attempt % Math.max(1, nodes.length)];
    return node ? { host: node.options.host!, port: node.options.port! } : undefined;
  }

  private async run(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      const target = this.target(attempt);
      if (target) {
        const conn = new Redis({
          ...this.nodeOptions,
          ...target,
          lazyConnect: true,
          // This loop reconnects, to whichever node serves the slot by then.
          retryStrategy: () => null,
          maxRetriesPerRequest: 0,
          connectTimeout: 2000,
          enableReadyCheck: false,
          connectionName: 'im-shard-subscriber',
        });
        // Before SSUBSCRIBE: a message may come in the same read as its reply.
        conn.on('smessageBuffer', (_channel: Buffer, message: Buffer) => {
          if (!this.stopped) this.onMessage(message);
        });
        conn.on('error', (err: Error) => {
          // The server ends a subscription whose slot left this node by sending sunsubscribe.
          if (/sunsubscribe/i.test(err.message)) conn.disconnect();
        });
        try {
          await conn.connect();
          const outcome = await new Promise<string>((resolve) => {
            // ioredis answers a MOVED to SSUBSCRIBE with this event only, not by failing the call.
            conn.once('moved', () => resolve('moved'));
            conn.once('end', () => resolve('closed'));
            setTimeout(() => resolve('timed out'), 3000).unref();
            conn.ssubscribe(this.channel).then(
              () => resolve('ok'),
              (err: Error) => resolve(err.message),
            );
          });
          if (outcome !== 'ok') throw new Error(outcome);
          if (this.stopped) {
            conn.disconnect();
            return;
          }
          this.conn = conn;
          conn.once('end', () => {
            if (this.conn !== conn || this.stopped) return;
            this.conn = undefined;
            this.logger.warn('sharded subscription lost: finding the slot\'s master again', { channel: this.channel });
            void this.run();
          });
          if (attempt > 0) this.logger.info('sharded subscription established', { channel: this.channel, node: `${target.host}:${target.port}`, attempts: attempt + 1 });
          this.established();
          return;
        } catch (err) {
          conn.disconnect();
          if (attempt % 10 === 0) this.logger.warn('sharded subscribing failed; retrying', { channel: this.channel, err: (err as Error).message });
        }
      }
      // Ask the cluster again who serves the slot: during a failover, a moment later.
      this.cluster.refreshSlotsCache();
      await sleep(Math.min(1000, 50 * 2 ** Math.min(attempt, 5)));
    }
  }
}

/** SPUBLISH/SSUBSCRIBE over a Redis Cluster: each message crosses the one shard of its channel. */
export class ShardedBus implements Bus {
  readonly perGateway = true;
  private readonly subscriptions: ShardSubscription[] = [];

  constructor(
    private readonly cluster: Cluster,
    private readonly nodeOptions: RedisOptions,
    private readonly logger: Logger,
  ) {}

  publish(channel: string, bytes: Buffer): Promise<unknown> {
    return this.cluster.spublish(channel, bytes);
  }

  listen(channels: string[], onMessage: (bytes: Buffer) => void, established: () => void): void {
    for (const channel of channels) {
      const s = new ShardSubscription(this.cluster, channel, this.nodeOptions, onMessage, established, this.logger);
      this.subscriptions.push(s);
      s.start();
    }
  }

  close(): void {
    for (const s of this.subscriptions) s.stop();
  }
}

export interface RedisConnections {
  redis: RedisClient;
  bus: Bus;
  /** Connects the commands client (it starts lazily); resolves even when Redis is away. */
  connect(): Promise<void>;
  close(): void;
}

/**
 * The gateway's connections to its shared Redis. Commands fail fast while Redis (or the
 * cluster) is away instead of queueing behind a dead connection.
 */
export function connectRedis(target: RedisTarget, logger: Logger): RedisConnections {
  const auth: RedisOptions = {
    ...(target.username !== undefined ? { username: target.username } : {}),
    ...(target.password !== undefined ? { password: target.password } : {}),
    ...(target.tls ? { tls: {} } : {}),
  };
  if (!target.cluster) {
    const redis = new Redis(target.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true, enableAutoPipelining: true });
    redis.on('error', (err: Error) => logger.warn('redis connection problem', { err: err.message }));
    const subscriber = new Redis(target.url, { lazyConnect: true });
    const bus = new PubSubBus(redis, subscriber, logger);
    return {
      redis,
      bus,
      connect: () => redis.connect().catch((err: Error) => void logger.warn('redis not reachable at start', { err: err.message })),
      close: () => {
        bus.close();
        redis.disconnect();
      },
    };
  }
  const cluster = new Cluster(target.nodes, {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    // Failovers are noticed sooner than the default 5 s.
    slotsRefreshInterval: 2000,
    // Node connections queue a command while they (re)connect; a command is tried once more.
    redisOptions: { ...auth, maxRetriesPerRequest: 1 },
    ...(target.tls ? { dnsLookup: (address: string, callback: (err: null, address: string) => void) => callback(null, address) } : {}),
  });
  cluster.on('error', (err: Error) => logger.warn('redis cluster problem', { err: err.message }));
  const bus = new ShardedBus(cluster, auth, logger);
  return {
    redis: cluster,
    bus,
    connect: () => cluster.connect().catch((err: Error) => void logger.warn('redis cluster not reachable at start', { err: err.message })),
    close: () => {
      bus.close();
      cluster.disconnect();
    },
  };
}
