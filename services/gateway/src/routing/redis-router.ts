import type { Redis } from 'ioredis';
import { unavailable } from '@im/protocol';
import { CloseCode } from '@im/protocol';
import type { Logger } from '@im/kit';
import type { Connection } from '../ws/connection.js';
import type { LocalConnections } from '../ws/local-connections.js';
import { decodeEnvelope, encodeEnvelope, type Envelope } from './envelope.js';
import { Router, type ClusterSignal, type ClusterStats, type Presence, type RouterOptions } from './router.js';
import { RouteTable } from './routes.js';

export interface RedisRouterOptions extends RouterOptions {
  prefix: string;
  /** How often this gateway says it is alive. */
  heartbeatMs: number;
  /** A gateway silent this long is dead: its sockets no longer count anywhere. */
  deadAfterMs: number;
  /** How often the table of routes is read again from Redis, whatever the messages said. */
  routesRefillMs?: number;
}

const SEEN_TTL_SECONDS = 30 * 24 * 3600;
/** Signals kept while Redis is away; past this, the periodic re-checks catch up. */
const MAX_UNSENT = 10_000;

/**
 * Forgets one socket and, when it was the user's last, marks them offline, in one step so a
 * socket opening elsewhere at the same moment cannot be undone by it.
 * KEYS: conns:<user>, online, seen:<user>, gwstats, gwusers:<gw>; ARGV: member, user, now,
 * seen ttl, gateway, last here (1/0). Returns 1 when the user has no socket left.
 */
const DISCONNECT = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HINCRBY', KEYS[4], ARGV[5], -1)
if ARGV[6] == '1' then redis.call('SREM', KEYS[5], ARGV[2]) end
if redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('SREM', KEYS[2], ARGV[2])
  redis.call('SET', KEYS[3], ARGV[3], 'EX', ARGV[4])
  return 1
end
return 0`;

/**
 * The cluster router over Redis.
 *
 * Keys (under the prefix): `conns:<user>` a sorted set of `<gateway>|<conn id>` by opening
 * time, the truth for routing, presence and the per-user limit; `gwusers:<gateway>` the
 * users with sockets on a gateway (for cleaning up after it); `gateways` heartbeat times;
 * `gwstats` socket counts; `online` users with a socket; `seen:<user>` last-seen times.
 * Channels: `inbox:<gateway>` for deliveries to one gateway, `signals` for all.
 *
 * A delivery publishes once per other gateway that holds a recipient, never to all; which
 * gateways those are comes from a table in memory (RouteTable), kept current by route
 * messages and read again from the `gwusers:` sets on (re)subscription, when a gateway says
 * its list changed wholesale, and every `routesRefillMs`. Entries of a gateway that stops heartbeating stop counting after
 * `deadAfterMs` and are removed by the next live gateway's sweep.
 */
export class RedisRouter extends Router {
  /** Gateways whose heartbeat stopped: their entries no longer count. Any other is alive. */
  private dead = new Set<string>();
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly self: string;
  /** Signals that could not be published (Redis away), sent again when it returns. */
  private unsent: Envelope[] = [];
  private subscribedOnce = false;
  /** Which other gateways hold which users: deliveries read it instead of Redis. */
  private readonly routes = new RouteTable();
  private refillTimer: NodeJS.Timeout | undefined;
  /** Deliveries to other gateways made in this turn of the loop: they leave together. */
  private outbox = new Map<string, Array<{ u: string[]; b: Uint8Array; s?: string }>>();
  private flushing = false;

  constructor(
    local: LocalConnections,
    private readonly settings: RedisRouterOptions,
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    private readonly logger: Logger,
  ) {
    super(local, settings);
    this.self = settings.gatewayId;
  }

  private isAlive(gateway: string): boolean {
    return !this.dead.has(gateway);
  }

  private key(name: string): string {
    return this.settings.prefix + name;
  }

  private member(conn: { id: number }): string {
    return `${this.self}|${conn.id}`;
  }

  private gatewayOf(member: string): string {
    return member.slice(0, member.lastIndexOf('|'));
  }

  async start(): Promise<void> {
    this.subscriber.on('messageBuffer', (_channel: Buffer, message: Buffer) => this.receive(message));
    this.subscriber.on('error', (err: Error) => this.logger.warn('redis subscriber problem', { err: err.message }));
    // Pub/sub is fire and forget: while the subscription was down, signals meant for this
    // gateway were lost. Each time it is (re)established after the first, refresh from the source.
    this.subscriber.on('ready', () => {
      // Route messages may have been missed while unsubscribed: read the table again.
      void this.refillRoutes();
      if (this.subscribedOnce) {
        this.logger.info('subscription re-established: refreshing what signals keep fresh');
        this.resync();
      }
      this.subscribedOnce = true;
    });
    // Resubscribes by itself after a reconnect; a Redis that is away at start is waited for.
    this.subscriber
      .subscribe(this.key(`inbox:${this.self}`), this.key('signals'))
      .catch((err: Error) => this.logger.warn('subscribing failed', { err: err.message }));
    // Entries left by an earlier run under the same gateway id are stale.
    await this.sweepGateway(this.self, Date.now()).catch((err: Error) => this.logger.warn('sweeping old entries failed', { err: err.message }));
    await this.beat();
    // Others may still list this gateway's users of an earlier run: they read its list again.
    this.publish('signals', { t: 'r', o: this.self, re: true });
    this.refillTimer = setInterval(() => void this.refillRoutes(), this.settings.routesRefillMs ?? 30_000);
    this.refillTimer.unref();
    // After Redis comes back (possibly empty), announce every local socket again and send
    // the signals that could not go out meanwhile.
    this.redis.on('ready', () => {
      void this.reannounce();
      this.flushUnsent();
    });
    this.heartbeat = setInterval(() => void this.beat(), this.settings.heartbeatMs);
    this.heartbeat.unref();
  }

  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.refillTimer) clearInterval(this.refillTimer);
    await this.sweepGateway(this.self, Date.now()).catch(() => undefined);
    await this.redis.zrem(this.key('gateways'), this.self).catch(() => undefined);
    await this.redis.hdel(this.key('gwstats'), this.self).catch(() => undefined);
    this.subscriber.disconnect();
  }

  async healthy(): Promise<boolean> {
    return (await this.redis.ping()) === 'PONG';
  }

  private receive(message: Buffer): void {
    const e = decodeEnvelope(message);
    if (!e) return;
    if (e.t === 'd') this.local.deliver(e.u, e.b, undefined, e.s);
    else if (e.t === 'D') for (const d of e.m) this.local.deliver(d.u, d.b, undefined, d.s);
    else if (e.t === 'c') this.closeLocal(e.u, e.i, e.code, e.reason);
    else if (e.o === this.self) return;
    else if (e.t === 's') this.handleSignal(e.signal);
    else if (e.re) void this.refillRoutes(e.o);
    else if (e.u !== undefined) this.routes.set(e.o, e.u, e.on === true);
  }

  /** Reads from Redis which users every live gateway (or just `only`) holds. */
  private async refillRoutes(only?: string): Promise<void> {
    try {
      await this.routes.refill(async () => {
        const now = Date.now();
        const gateways = only !== undefined ? [only] : await this.redis.zrangebyscore(this.key('gateways'), now - this.settings.deadAfterMs, '+inf');
        const others = gateways.filter((g) => g !== this.self);
        const pipeline = this.redis.pipeline();
        for (const g of others) pipeline.smembers(this.key(`gwusers:${g}`));
        const results = others.length > 0 ? ((await pipeline.exec()) ?? []) : [];
        const fresh = new Map<string, string[]>();
        others.forEach((g, i) => {
          const [err, users] = results[i] ?? [];
          if (err) throw err;
          fresh.set(g, (users as string[]) ?? []);
        });
        return fresh;
      }, only);
    } catch (err) {
      this.logger.warn('reading routes failed', { err: (err as Error).message });
    }
  }

  private publish(channel: string, e: Envelope): void {
    this.redis.publish(this.key(channel), encodeEnvelope(e)).catch((err: Error) => {
      this.logger.warn('publish failed', { channel, err: err.message });
      // A lost delivery is repaired by the client's sync; a lost signal (a revoked session,
      // a membership change) is not: keep it for when Redis returns. Bounded.
      if (e.t === 's') {
        this.unsent.push(e);
        if (this.unsent.length > MAX_UNSENT) this.unsent.shift();
      }
    });
  }

  private flushUnsent(): void {
    const pending = this.unsent;
    this.unsent = [];
    for (const e of pending) this.publish('signals', e);
    if (pending.length > 0) this.logger.info('signals sent after Redis returned', { signals: pending.length });
  }

  deliver(userIds: readonly string[], bytes: Uint8Array, exceptConnId?: number, subscribedTo?: string): void {
    this.local.deliver(userIds, bytes, exceptConnId, subscribedTo);
    this.deliverRemote(userIds, bytes, subscribedTo);
  }

  /** Publishes once to each other gateway that holds a recipient, read from the route table. */
  private deliverRemote(userIds: readonly string[], bytes: Uint8Array, subscribedTo?: string): void {
    let byGateway: Map<string, string[]> | undefined;
    for (const userId of userIds) {
      const gateways = this.routes.gatewaysOf(userId);
      if (!gateways) continue;
      for (const gw of gateways) {
        if (!this.isAlive(gw)) continue;
        byGateway ??= new Map();
        let list = byGateway.get(gw);
        if (!list) byGateway.set(gw, (list = []));
        list.push(userId);
      }
    }
    if (!byGateway) return;
    for (const [gw, users] of byGateway) {
      let list = this.outbox.get(gw);
      if (!list) this.outbox.set(gw, (list = []));
      list.push(subscribedTo === undefined ? { u: users, b: bytes } : { u: users, b: bytes, s: subscribedTo });
    }
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => this.flushDeliveries());
    }
  }

  /** One message per gateway for all the deliveries of a moment: fewer commands, fewer wakeups. */
  private flushDeliveries(): void {
    this.flushing = false;
    const outbox = this.outbox;
    this.outbox = new Map();
    for (const [gw, list] of outbox) {
      const e: Envelope = list.length === 1 ? { t: 'd', ...list[0]! } : { t: 'D', m: list };
      this.publish(`inbox:${gw}`, e);
    }
  }


  /** The socket members of each user, in one round trip. */
  private async connsOf(userIds: readonly string[]): Promise<string[][]> {
    if (userIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const u of userIds) pipeline.zrange(this.key(`conns:${u}`), 0, -1);
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, value]) => {
      if (err) throw err;
      return value as string[];
    });
  }

  broadcast(signal: ClusterSignal): void {
    this.handleSignal(signal);
    this.publish('signals', { t: 's', o: this.self, signal });
  }

  async connected(conn: Connection): Promise<boolean> {
    const firstHere = !this.local.hasUser(conn.userId);
    this.local.add(conn, Number.MAX_SAFE_INTEGER);
    const now = Date.now();
    const multi = this.redis
      .multi()
      .zadd(this.key(`conns:${conn.userId}`), now, this.member(conn))
      .sadd(this.key(`gwusers:${this.self}`), conn.userId)
      .sadd(this.key('online'), conn.userId)
      .zrange(this.key(`conns:${conn.userId}`), 0, -1)
      .hincrby(this.key('gwstats'), this.self, 1);
    // Other gateways learn in the same step that this user can now be reached here.
    if (firstHere) multi.publish(this.key('signals'), encodeEnvelope({ t: 'r', o: this.self, u: conn.userId, on: true }));
    const result = await multi.exec();
    const members = ((result?.[3]?.[1] as string[] | undefined) ?? []).filter((m) => this.isAlive(this.gatewayOf(m)));
    const excess = members.length - this.settings.maxConnPerUser;
    // Oldest first: close the sockets past the limit, on whichever gateway holds them.
    for (const m of members.slice(0, Math.max(0, excess))) {
      const gw = this.gatewayOf(m);
      const id = Number(m.slice(m.lastIndexOf('|') + 1));
      if (gw === this.self) this.replaced({ userId: conn.userId, id });
      else this.publish(`inbox:${gw}`, { t: 'c', u: conn.userId, i: id, code: CloseCode.REPLACED, reason: 'too many connections' });
    }
    return members.length === 1;
  }

  async disconnected(conn: Connection): Promise<boolean> {
    const lastHere = this.local.remove(conn);
    const u = conn.userId;
    const keys = [`conns:${u}`, 'online', `seen:${u}`, 'gwstats', `gwusers:${this.self}`].map((k) => this.key(k));
    const last = await this.redis.eval(DISCONNECT, keys.length, ...keys, this.member(conn), u, Date.now(), SEEN_TTL_SECONDS, this.self, lastHere ? '1' : '0');
    // A user who reconnected here meanwhile is not announced gone.
    if (lastHere && !this.local.hasUser(u)) this.publish('signals', { t: 'r', o: this.self, u, on: false });
    return last === 1;
  }

  reaches(userId: string): boolean {
    if (this.local.hasUser(userId)) return true;
    for (const gw of this.routes.gatewaysOf(userId) ?? []) if (this.isAlive(gw)) return true;
    return false;
  }

  async presence(userIds: readonly string[]): Promise<Presence[]> {
    try {
      const lists = await this.connsOf(userIds);
      const seen = userIds.length > 0 ? await this.redis.mget(...userIds.map((u) => this.key(`seen:${u}`))) : [];
      const now = Date.now();
      return userIds.map((user_id, i) => {
        const online = lists[i]!.some((m) => this.isAlive(this.gatewayOf(m)));
        const last = seen[i];
        return { user_id, online, last_seen: online ? now : last ? Number(last) : null };
      });
    } catch {
      throw unavailable('presence is unavailable for a moment');
    }
  }

  async stats(): Promise<ClusterStats> {
    try {
      const now = Date.now();
      const gateways = await this.redis.zrangebyscore(this.key('gateways'), now - this.settings.deadAfterMs, '+inf');
      if (!gateways.includes(this.self)) gateways.push(this.self);
      const [counts, online] = await Promise.all([this.redis.hmget(this.key('gwstats'), ...gateways), this.redis.scard(this.key('online'))]);
      return {
        online_users: online,
        connections: counts.reduce((sum, c) => sum + (c ? Number(c) : 0), 0),
        gateways: gateways.length,
      };
    } catch {
      throw unavailable('cluster statistics are unavailable for a moment');
    }
  }

  /** Says this gateway is alive, refreshes who else is, and sweeps up after dead ones. */
  private async beat(): Promise<void> {
    const now = Date.now();
    try {
      const result = await this.redis
        .multi()
        .zadd(this.key('gateways'), now, this.self)
        .hset(this.key('gwstats'), this.self, this.local.connections)
        .exec();
      // Not listed any more: swept while we stalled, or Redis lost its data. Announce again.
      if (Number(result?.[0]?.[1] ?? 0) === 1 && this.local.connections > 0) await this.reannounce(false);
      const dead = await this.redis.zrangebyscore(this.key('gateways'), '-inf', `(${now - this.settings.deadAfterMs}`);
      this.dead = new Set(dead.filter((gw) => gw !== this.self));
      for (const gw of this.dead) this.routes.dropGateway(gw);
      if (dead.length > 0 && (await this.redis.set(this.key('sweep'), this.self, 'PX', this.settings.heartbeatMs, 'NX')) === 'OK') {
        for (const gw of dead) await this.sweepGateway(gw, now);
      }
    } catch (err) {
      this.logger.warn('heartbeat failed', { err: (err as Error).message });
    }
  }

  /** Removes every entry of a gateway: its sockets, its stats, its heartbeat. */
  private async sweepGateway(gw: string, now: number): Promise<void> {
    const users = await this.redis.smembers(this.key(`gwusers:${gw}`));
    const lastBeat = Number((await this.redis.zscore(this.key('gateways'), gw)) ?? now);
    const prefix = `${gw}|`;
    for (const user of users) {
      const members = await this.redis.zrange(this.key(`conns:${user}`), 0, -1);
      const theirs = members.filter((m) => m.startsWith(prefix));
      if (theirs.length > 0) await this.redis.zrem(this.key(`conns:${user}`), ...theirs);
      if (members.length === theirs.length) {
        await this.redis.multi().srem(this.key('online'), user).set(this.key(`seen:${user}`), lastBeat, 'EX', SEEN_TTL_SECONDS).exec();
        if (gw !== this.self) this.wentOffline(user);
      }
    }
    await this.redis.multi().del(this.key(`gwusers:${gw}`)).zrem(this.key('gateways'), gw).hdel(this.key('gwstats'), gw).exec();
    if (gw !== this.self) this.logger.info('swept a dead gateway', { dead_gateway: gw, users: users.length });
  }

  /** Re-registers every local socket, e.g. after Redis restarted empty. */
  private async reannounce(beat = true): Promise<void> {
    try {
      const multi = this.redis.multi();
      const now = Date.now();
      for (const conn of this.local.all()) {
        multi.zadd(this.key(`conns:${conn.userId}`), 'NX', now, this.member(conn));
        multi.sadd(this.key(`gwusers:${this.self}`), conn.userId);
        multi.sadd(this.key('online'), conn.userId);
      }
      await multi.exec();
      if (beat) await this.beat();
      // Others may have read this gateway's list while Redis was empty: they read it again.
      this.publish('signals', { t: 'r', o: this.self, re: true });
      this.logger.info('routing entries announced', { connections: this.local.connections });
    } catch (err) {
      this.logger.warn('announcing routing entries failed', { err: (err as Error).message });
    }
  }
}
