import { unavailable } from '@im/protocol';
import { CloseCode } from '@im/protocol';
import type { Logger } from '@im/kit';
import type { Connection } from '../ws/connection.js';
import type { LocalConnections } from '../ws/local-connections.js';
import type { Bus, RedisClient } from './bus.js';
import { decodeEnvelope, encodeEnvelope, type Envelope } from './envelope.js';
import { kindOf, type RouterMetrics } from './metrics.js';
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
/** Users handled at once when a whole gateway's entries are written or removed. */
const CHUNK = 500;

/**
 * Forgets one socket and, when it was the user's last, records when they were last seen, in
 * one step on the user's slot, so a socket opening elsewhere at the same moment cannot be
 * undone by it. KEYS: {u}:conns, {u}:seen; ARGV: member, now, seen ttl. Returns 1 when the
 * user has no socket left.
 */
const DISCONNECT = `
redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0`;

/**
 * Forgets every socket of one (dead) gateway of a user, in one step on the user's slot.
 * KEYS: {u}:conns, {u}:seen; ARGV: member prefix `<gateway>|`, last heartbeat, seen ttl.
 * Returns 1 when this left the user with no socket, 2 when they had none already, else 0.
 */
const SWEEP_USER = `
local removed = 0
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if string.sub(m, 1, #ARGV[1]) == ARGV[1] then
    redis.call('ZREM', KEYS[1], m)
    removed = removed + 1
  end
end
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
if removed == 0 then return 2 end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
return 1`;

/**
 * The cluster router over Redis: a standalone server or a Redis Cluster, with the same keys.
 *
 * Keys (under the prefix) carry hash tags, so that every multi-key step (MULTI, a script)
 * touches one slot: per user `{u:<id>}:conns` (a sorted set of `<gateway>|<conn id>` by
 * opening time, the truth for routing, presence and the per-user limit) and `{u:<id>}:seen`
 * (last seen); per gateway `{g:<id>}:users` (the users with sockets there, for cleaning up
 * after it) and its channel `{g:<id>}:inbox`; for the cluster `{cluster}:gateways` (heartbeat
 * times), `{cluster}:stats` (socket counts), `{cluster}:online` (users with a socket) and
 * `{cluster}:sweep` (who sweeps dead gateways). Over a standalone Redis, signals go on one
 * `{cluster}:signals` channel; over a Redis Cluster (sharded pub/sub, no broadcast) each goes
 * to every live gateway's inbox, the list of them read with the heartbeats.
 *
 * A delivery publishes once per other gateway that holds a recipient, never to all; which
 * gateways those are comes from a table in memory (RouteTable), kept current by route
 * messages and read again from the `{g:}:users` sets on (re)subscription, when a gateway
 * says its list changed wholesale, and every `routesRefillMs`. Entries of a gateway that
 * stops heartbeating stop counting after `deadAfterMs` and are removed by the next live
 * gateway's sweep.
 */
export class RedisRouter extends Router {
  /** Gateways whose heartbeat stopped: their entries no longer count. Any other is alive. */
  private dead = new Set<string>();
  /** Other gateways heartbeating, as of the last heartbeat: where messages for all go. */
  private others: string[] = [];
  private heartbeat: NodeJS.Timeout | undefined;
  /** When this gateway's heartbeat was last written. */
  private lastBeat = 0;
  private readonly self: string;
  /** Signals that could not be published (Redis away), sent again when it returns. */
  private unsent: Array<{ channel: string; e: Envelope }> = [];
  private subscribedOnce = false;
  /** Which other gateways hold which users: deliveries read it instead of Redis. */
  private readonly routes = new RouteTable();
  private refillTimer: NodeJS.Timeout | undefined;
  private lateRefill: NodeJS.Timeout | undefined;
  /** Deliveries to other gateways made in this turn of the loop: they leave together. */
  private outbox = new Map<string, Array<{ u: string[]; b: Uint8Array; s?: string }>>();
  private flushing = false;

  constructor(
    local: LocalConnections,
    private readonly settings: RedisRouterOptions,
    private readonly redis: RedisClient,
    private readonly bus: Bus,
    private readonly logger: Logger,
    private readonly metrics?: RouterMetrics,
  ) {
    super(local, settings);
    this.self = settings.gatewayId;
  }

  private isAlive(gateway: string): boolean {
    return !this.dead.has(gateway);
  }

  private userKey(userId: string, name: 'conns' | 'seen'): string {
    return `${this.settings.prefix}{u:${userId}}:${name}`;
  }

  private gatewayKey(gateway: string, name: 'users' | 'inbox'): string {
    return `${this.settings.prefix}{g:${gateway}}:${name}`;
  }

  private clusterKey(name: 'gateways' | 'stats' | 'online' | 'sweep' | 'signals'): string {
    return `${this.settings.prefix}{cluster}:${name}`;
  }

  private member(conn: { id: number }): string {
    return `${this.self}|${conn.id}`;
  }

  private gatewayOf(member: string): string {
    return member.slice(0, member.lastIndexOf('|'));
  }

  async start(): Promise<void> {
    const channels = [this.gatewayKey(this.self, 'inbox')];
    if (!this.bus.perGateway) channels.push(this.clusterKey('signals'));
    // Pub/sub is fire and forget: while the subscription was down, signals meant for this
    // gateway were lost. Each time it is (re)established after the first, refresh from the source.
    this.bus.listen(
      channels,
      (message) => this.receive(message),
      () => {
        // Route messages may have been missed while unsubscribed: read the table again.
        void this.refillRoutes();
        if (this.subscribedOnce) {
          this.logger.info('subscription re-established: refreshing what signals keep fresh');
          this.resync();
        }
        this.subscribedOnce = true;
      },
    );
    // Entries left by an earlier run under the same gateway id are stale.
    await this.sweepGateway(this.self, Date.now()).catch((err: Error) => this.logger.warn('sweeping old entries failed', { err: err.message }));
    // The first heartbeat also tells every live gateway to read this one's list again: they
    // may still list its users of an earlier run.
    await this.beat();
    // Gateways that had not heard of this one yet sent it no route messages: by two
    // heartbeats from now all have, and what they announced before is in Redis.
    this.lateRefill = setTimeout(() => void this.refillRoutes(), 2 * this.settings.heartbeatMs + 100);
    this.lateRefill.unref();
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
    if (this.lateRefill) clearTimeout(this.lateRefill);
    await this.sweepGateway(this.self, Date.now()).catch(() => undefined);
    await this.redis.multi().zrem(this.clusterKey('gateways'), this.self).hdel(this.clusterKey('stats'), this.self).exec().catch(() => undefined);
    this.bus.close();
  }

  async healthy(): Promise<boolean> {
    return (await this.redis.ping()) === 'PONG';
  }

  private receive(message: Buffer): void {
    const e = decodeEnvelope(message);
    if (!e) return;
    this.metrics?.received.inc({ kind: kindOf(e) });
    if (e.t === 'd') {
      this.metrics?.deliveriesIn.inc();
      this.local.deliver(e.u, e.b, undefined, e.s);
    } else if (e.t === 'D') {
      this.metrics?.deliveriesIn.inc(e.m.length);
      for (const d of e.m) this.local.deliver(d.u, d.b, undefined, d.s);
    }
    else if (e.t === 'c') this.closeLocal(e.u, e.i, e.code, e.reason);
    else if (e.o !== this.self) {
      // A gateway not heard of yet (it just started) gets messages for all from now on, not
      // only from this gateway's next heartbeat.
      if (!this.others.includes(e.o) && !this.dead.has(e.o)) this.others = [...this.others, e.o];
      if (e.t === 's') this.handleSignal(e.signal);
      else if (e.re) void this.refillRoutes(e.o);
      else if (e.u !== undefined) this.routes.set(e.o, e.u, e.on === true);
    }
  }

  /** Reads from Redis which users every live gateway (or just `only`) holds. */
  private async refillRoutes(only?: string): Promise<void> {
    try {
      await this.routes.refill(async () => {
        const now = Date.now();
        const gateways = only !== undefined ? [only] : await this.redis.zrangebyscore(this.clusterKey('gateways'), now - this.settings.deadAfterMs, '+inf');
        const others = gateways.filter((g) => g !== this.self);
        // One slot per gateway: separate commands (pipelined by the client), not one pipeline.
        const lists = await Promise.all(others.map((g) => this.redis.smembers(this.gatewayKey(g, 'users'))));
        return new Map(others.map((g, i) => [g, lists[i]!]));
      }, only);
    } catch (err) {
      this.logger.warn('reading routes failed', { err: (err as Error).message });
    }
  }

  /** Publishes to one gateway's inbox (or the broadcast channel); never rejects. */
  private publish(channel: string, e: Envelope): Promise<void> {
    const kind = kindOf(e);
    this.metrics?.publishes.inc({ kind });
    return this.bus.publish(channel, encodeEnvelope(e)).then(
      () => undefined,
      (err: Error) => {
        this.metrics?.publishFailures.inc({ kind });
        this.logger.warn('publish failed', { channel, err: err.message });
        // A lost delivery is repaired by the client's sync; a lost signal (a revoked session,
        // a membership change) is not: keep it for when Redis returns. Bounded.
        if (e.t === 's') {
          this.unsent.push({ channel, e });
          if (this.unsent.length > MAX_UNSENT) this.unsent.shift();
        }
      },
    );
  }

  /** A message for every other gateway: on the broadcast channel, or to each one's inbox. */
  private publishToAll(e: Envelope): Promise<unknown> {
    if (!this.bus.perGateway) return this.publish(this.clusterKey('signals'), e);
    return Promise.all(this.others.map((gw) => this.publish(this.gatewayKey(gw, 'inbox'), e)));
  }

  private flushUnsent(): void {
    const pending = this.unsent;
    this.unsent = [];
    for (const { channel, e } of pending) void this.publish(channel, e);
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
    this.metrics?.deliveriesOut.inc(byGateway.size);
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
      void this.publish(this.gatewayKey(gw, 'inbox'), e);
    }
  }

  /** The socket members of each user, in one round trip (one slot each). */
  private async connsOf(userIds: readonly string[]): Promise<string[][]> {
    return Promise.all(userIds.map((u) => this.redis.zrange(this.userKey(u, 'conns'), 0, -1)));
  }

  broadcast(signal: ClusterSignal): void {
    this.handleSignal(signal);
    void this.publishToAll({ t: 's', o: this.self, signal });
  }

  async connected(conn: Connection): Promise<boolean> {
    const u = conn.userId;
    const firstHere = !this.local.hasUser(u);
    this.local.add(conn, Number.MAX_SAFE_INTEGER);
    // Listed under this gateway before the socket's entry exists, so that a sweep after this
    // gateway dies finds every entry it left.
    await this.redis.sadd(this.gatewayKey(this.self, 'users'), u);
    const result = await this.redis
      .multi()
      .zadd(this.userKey(u, 'conns'), Date.now(), this.member(conn))
      .zrange(this.userKey(u, 'conns'), 0, -1)
      .exec();
    const error = result?.find(([err]) => err)?.[0];
    if (error) throw error;
    // Steps of their own, on other slots: counts and announcements, not the truth of routing.
    await Promise.all([
      this.redis.sadd(this.clusterKey('online'), u).catch((err: Error) => this.logger.warn('marking online failed', { err: err.message })),
      this.writeCount(),
      // Other gateways learn that this user can now be reached here before the socket's
      // commands run.
      firstHere ? this.publishToAll({ t: 'r', o: this.self, u, on: true }) : undefined,
    ]);
    const members = ((result?.[1]?.[1] as string[] | undefined) ?? []).filter((m) => this.isAlive(this.gatewayOf(m)));
    const excess = members.length - this.settings.maxConnPerUser;
    // Oldest first: close the sockets past the limit, on whichever gateway holds them.
    for (const m of members.slice(0, Math.max(0, excess))) {
      const gw = this.gatewayOf(m);
      const id = Number(m.slice(m.lastIndexOf('|') + 1));
      if (gw === this.self) this.replaced({ userId: u, id });
      else void this.publish(this.gatewayKey(gw, 'inbox'), { t: 'c', u, i: id, code: CloseCode.REPLACED, reason: 'too many connections' });
    }
    return members.length === 1;
  }

  async disconnected(conn: Connection): Promise<boolean> {
    const lastHere = this.local.remove(conn);
    const u = conn.userId;
    const last = await this.redis.eval(DISCONNECT, 2, this.userKey(u, 'conns'), this.userKey(u, 'seen'), this.member(conn), Date.now(), SEEN_TTL_SECONDS);
    void this.writeCount();
    // A user who reconnected here meanwhile stays listed and is not announced gone.
    if (lastHere && !this.local.hasUser(u)) {
      await this.redis.srem(this.gatewayKey(this.self, 'users'), u);
      void this.publishToAll({ t: 'r', o: this.self, u, on: false });
    }
    if (last === 1) await this.markOffline(u);
    return last === 1;
  }

  /**
   * Writes this gateway's socket count as it is now: a value, not an increment, so that
   * writes crossing a heartbeat's (which writes it too) leave the latest count.
   */
  private writeCount(): Promise<unknown> {
    return this.redis.hset(this.clusterKey('stats'), this.self, this.local.connections).catch(() => undefined);
  }

  /**
   * Takes a user with no socket out of the online set. The set lives on another slot than
   * the user's sockets, so a socket opening meanwhile is checked for afterwards.
   */
  private async markOffline(userId: string): Promise<void> {
    try {
      await this.redis.srem(this.clusterKey('online'), userId);
      if ((await this.redis.zcard(this.userKey(userId, 'conns'))) > 0) await this.redis.sadd(this.clusterKey('online'), userId);
    } catch (err) {
      this.logger.warn('marking offline failed', { err: (err as Error).message });
    }
  }

  reaches(userId: string): boolean {
    if (this.local.hasUser(userId)) return true;
    for (const gw of this.routes.gatewaysOf(userId) ?? []) if (this.isAlive(gw)) return true;
    return false;
  }

  async presence(userIds: readonly string[]): Promise<Presence[]> {
    try {
      const [lists, seen] = await Promise.all([this.connsOf(userIds), Promise.all(userIds.map((u) => this.redis.get(this.userKey(u, 'seen'))))]);
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
      const gateways = await this.redis.zrangebyscore(this.clusterKey('gateways'), now - this.settings.deadAfterMs, '+inf');
      if (!gateways.includes(this.self)) gateways.push(this.self);
      const [counts, online] = await Promise.all([this.redis.hmget(this.clusterKey('stats'), ...gateways), this.redis.scard(this.clusterKey('online'))]);
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
        .zadd(this.clusterKey('gateways'), now, this.self)
        .hset(this.clusterKey('stats'), this.self, this.local.connections)
        .zrange(this.clusterKey('gateways'), 0, -1, 'WITHSCORES')
        .exec();
      // Not listed any more (swept while we stalled, or Redis lost its data), or silent long
      // enough for others to have begun sweeping our entries: announce them all again.
      const silent = this.lastBeat > 0 && now - this.lastBeat >= this.settings.deadAfterMs;
      this.lastBeat = now;
      if ((Number(result?.[0]?.[1] ?? 0) === 1 || silent) && this.local.connections > 0) await this.reannounce(false);
      if (silent) {
        // Others took this gateway for dead and sent it nothing meanwhile.
        this.logger.info('heartbeat written again after a silence: refreshing what signals keep fresh');
        void this.refillRoutes();
        this.resync();
      }
      const listed = (result?.[2]?.[1] as string[] | undefined) ?? [];
      const dead: string[] = [];
      const live: string[] = [];
      for (let i = 0; i + 1 < listed.length; i += 2) {
        const gw = listed[i]!;
        if (gw === this.self) continue;
        (Number(listed[i + 1]) < now - this.settings.deadAfterMs ? dead : live).push(gw);
      }
      // A gateway newly heard of, or heard of again after it was taken for dead or swept, got
      // no messages from here meanwhile: it reads this gateway's list again, and its routes
      // (dropped here if it was dead) are read again.
      const before = new Set(this.others);
      const hellos: Array<Promise<void>> = [];
      for (const gw of live) {
        if (before.has(gw)) continue;
        if (this.dead.has(gw)) void this.refillRoutes(gw);
        hellos.push(this.publish(this.gatewayKey(gw, 'inbox'), { t: 'r', o: this.self, re: true }));
      }
      this.others = live;
      await Promise.all(hellos);
      // A shard that failed over comes back without a 'ready' of the whole cluster client.
      if (this.unsent.length > 0) this.flushUnsent();
      this.dead = new Set(dead);
      for (const gw of this.dead) this.routes.dropGateway(gw);
      if (dead.length > 0 && (await this.redis.set(this.clusterKey('sweep'), this.self, 'PX', this.settings.heartbeatMs, 'NX')) === 'OK') {
        for (const gw of dead) await this.sweepGateway(gw, now);
      }
    } catch (err) {
      this.logger.warn('heartbeat failed', { err: (err as Error).message });
    }
  }

  /** Removes every entry of a gateway: its sockets, its stats, its heartbeat. */
  private async sweepGateway(gw: string, now: number): Promise<void> {
    const users = await this.redis.smembers(this.gatewayKey(gw, 'users'));
    const lastBeat = Number((await this.redis.zscore(this.clusterKey('gateways'), gw)) ?? now);
    for (let i = 0; i < users.length; i += CHUNK) {
      await Promise.all(
        users.slice(i, i + CHUNK).map(async (user) => {
          const gone = await this.redis.eval(SWEEP_USER, 2, this.userKey(user, 'conns'), this.userKey(user, 'seen'), `${gw}|`, lastBeat, SEEN_TTL_SECONDS);
          if (gone === 0) return;
          await this.markOffline(user);
          if (gone === 1 && gw !== this.self) this.wentOffline(user);
        }),
      );
    }
    await this.redis.del(this.gatewayKey(gw, 'users'));
    await this.redis.multi().zrem(this.clusterKey('gateways'), gw).hdel(this.clusterKey('stats'), gw).exec();
    if (gw !== this.self) this.logger.info('swept a dead gateway', { dead_gateway: gw, users: users.length });
  }

  /** Re-registers every local socket, e.g. after Redis restarted empty. */
  private async reannounce(beat = true): Promise<void> {
    try {
      const now = Date.now();
      const conns = [...this.local.all()];
      const users = [...new Set(conns.map((c) => c.userId))];
      // The gateway's list first, as on a socket's registration.
      for (let i = 0; i < users.length; i += CHUNK) await this.redis.sadd(this.gatewayKey(this.self, 'users'), ...users.slice(i, i + CHUNK));
      for (let i = 0; i < conns.length; i += CHUNK) {
        await Promise.all(conns.slice(i, i + CHUNK).map((c) => this.redis.zadd(this.userKey(c.userId, 'conns'), 'NX', now, this.member(c))));
      }
      for (let i = 0; i < users.length; i += CHUNK) await this.redis.sadd(this.clusterKey('online'), ...users.slice(i, i + CHUNK));
      if (beat) await this.beat();
      // Others may have read this gateway's list while Redis was empty: they read it again.
      await this.publishToAll({ t: 'r', o: this.self, re: true });
      this.logger.info('routing entries announced', { connections: this.local.connections });
    } catch (err) {
      this.logger.warn('announcing routing entries failed', { err: (err as Error).message });
    }
  }
}
