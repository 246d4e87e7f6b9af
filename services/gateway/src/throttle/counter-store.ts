import type { Redis } from 'ioredis';

export interface Count {
  count: number;
  /** Seconds until the window ends. */
  ttl: number;
}

/** Counters that expire: in memory for a lone gateway, in Redis for a cluster. */
export interface CounterStore {
  incr(key: string, windowSeconds: number): Promise<Count>;
  get(key: string): Promise<Count>;
  reset(key: string): Promise<void>;
}

export class MemoryCounterStore implements CounterStore {
  private readonly counts = new Map<string, { count: number; expires: number }>();

  constructor(
    private readonly maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  private live(key: string): { count: number; expires: number } | undefined {
    const entry = this.counts.get(key);
    if (entry && entry.expires <= this.now()) {
      this.counts.delete(key);
      return undefined;
    }
    return entry;
  }

  async incr(key: string, windowSeconds: number): Promise<Count> {
    let entry = this.live(key);
    if (!entry) {
      if (this.counts.size >= this.maxKeys) this.prune();
      entry = { count: 0, expires: this.now() + windowSeconds * 1000 };
      this.counts.set(key, entry);
    }
    entry.count++;
    return { count: entry.count, ttl: Math.ceil((entry.expires - this.now()) / 1000) };
  }

  async get(key: string): Promise<Count> {
    const entry = this.live(key);
    return entry ? { count: entry.count, ttl: Math.ceil((entry.expires - this.now()) / 1000) } : { count: 0, ttl: 0 };
  }

  async reset(key: string): Promise<void> {
    this.counts.delete(key);
  }

  /** Drops expired entries, then the oldest, so memory stays bounded under a flood of keys. */
  private prune(): void {
    const now = this.now();
    for (const [k, v] of this.counts) if (v.expires <= now) this.counts.delete(k);
    for (const k of this.counts.keys()) {
      if (this.counts.size < this.maxKeys) break;
      this.counts.delete(k);
    }
  }
}

export class RedisCounterStore implements CounterStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async incr(key: string, windowSeconds: number): Promise<Count> {
    const k = this.prefix + key;
    const result = await this.redis.multi().incr(k).expire(k, windowSeconds, 'NX').ttl(k).exec();
    const count = Number(result?.[0]?.[1] ?? 0);
    const ttl = Number(result?.[2]?.[1] ?? windowSeconds);
    return { count, ttl: ttl > 0 ? ttl : windowSeconds };
  }

  async get(key: string): Promise<Count> {
    const k = this.prefix + key;
    const result = await this.redis.multi().get(k).ttl(k).exec();
    const count = Number(result?.[0]?.[1] ?? 0);
    return { count, ttl: Math.max(0, Number(result?.[1]?.[1] ?? 0)) };
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }
}
