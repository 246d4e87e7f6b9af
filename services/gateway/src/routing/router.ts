import { CloseCode } from '@im/protocol';
import type { Connection } from '../ws/connection.js';
import type { LocalConnections } from '../ws/local-connections.js';

/** Cluster-wide signals that are not deliveries to a user. */
export type ClusterSignal =
  | { type: 'invalidate_conversations'; conversation_ids: string[] }
  | { type: 'close_session'; session_id: string; code: number; reason: string };

export interface ClusterStats {
  online_users: number;
  connections: number;
  gateways: number;
}

export interface Presence {
  user_id: string;
  online: boolean;
  /** When the user's last socket closed; now while online; null if never seen. */
  last_seen: number | null;
}

export interface RouterOptions {
  gatewayId: string;
  maxConnPerUser: number;
}

/**
 * Routes between gateways: who is connected where, deliveries to users wherever their
 * sockets are, cluster-wide signals, presence and the per-user socket limit. The base class
 * owns everything local; subclasses only add the shared layer (none for a lone gateway,
 * Redis for a cluster).
 */
export abstract class Router {
  private signalHandler: ((signal: ClusterSignal) => void) | undefined;
  private offlineHandler: ((userId: string) => void) | undefined;
  private resyncHandler: (() => void) | undefined;

  constructor(
    protected readonly local: LocalConnections,
    protected readonly options: RouterOptions,
  ) {}

  /**
   * Delivers bytes to every socket of the users, wherever connected, except one socket;
   * with `subscribedTo`, only to sockets subscribed to that conversation.
   */
  abstract deliver(userIds: readonly string[], bytes: Uint8Array, exceptConnId?: number, subscribedTo?: string): void;

  /** Runs a signal on every gateway, this one included. */
  abstract broadcast(signal: ClusterSignal): void;

  /**
   * Registers a new socket. Closes the user's oldest sockets beyond the per-user limit,
   * wherever they are (4002). True when this is the user's first socket anywhere.
   */
  abstract connected(conn: Connection): Promise<boolean>;

  /** Forgets a closed socket. True when it was the user's last socket anywhere. */
  abstract disconnected(conn: Connection): Promise<boolean>;

  abstract presence(userIds: readonly string[]): Promise<Presence[]>;

  /**
   * Whether deliveries from this gateway reach the user now (a socket here, or one another
   * gateway announced). A socket registered elsewhere becomes reachable once its
   * announcement arrives, a moment after its registration.
   */
  abstract reaches(userId: string): boolean;

  abstract stats(): Promise<ClusterStats>;

  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;

  /** Health of the shared layer; the in-process router is always healthy. */
  abstract healthy(): Promise<boolean>;

  /** Which of these users have at least one open socket anywhere in the cluster. */
  async online(userIds: readonly string[]): Promise<Set<string>> {
    return new Set((await this.presence(userIds)).filter((p) => p.online).map((p) => p.user_id));
  }

  onSignal(handler: (signal: ClusterSignal) => void): void {
    this.signalHandler = handler;
  }

  /** Called for users found offline other than by a socket closing here (a dead gateway). */
  onOffline(handler: (userId: string) => void): void {
    this.offlineHandler = handler;
  }

  /**
   * Called when signals from other gateways may have been missed (the shared layer was away
   * or this gateway's subscription was re-established): whatever signals keep fresh must
   * be refreshed from the source.
   */
  onResync(handler: () => void): void {
    this.resyncHandler = handler;
  }

  protected resync(): void {
    this.resyncHandler?.();
  }

  protected wentOffline(userId: string): void {
    this.offlineHandler?.(userId);
  }

  protected handleSignal(signal: ClusterSignal): void {
    this.signalHandler?.(signal);
  }

  protected closeLocal(userId: string, connId: number, code: number, reason: string): void {
    this.local.find(userId, connId)?.close(code, reason);
  }

  protected replaced(conn: { userId: string; id: number }): void {
    this.closeLocal(conn.userId, conn.id, CloseCode.REPLACED, 'too many connections');
  }
}

/** The router of a gateway that runs alone: everything is local. */
export class InProcessRouter extends Router {
  private readonly lastSeen = new Map<string, number>();

  deliver(userIds: readonly string[], bytes: Uint8Array, exceptConnId?: number, subscribedTo?: string): void {
    this.local.deliver(userIds, bytes, exceptConnId, subscribedTo);
  }

  broadcast(signal: ClusterSignal): void {
    this.handleSignal(signal);
  }

  async connected(conn: Connection): Promise<boolean> {
    const first = !this.local.hasUser(conn.userId);
    for (const old of this.local.add(conn, this.options.maxConnPerUser)) this.replaced(old);
    return first;
  }

  async disconnected(conn: Connection): Promise<boolean> {
    const last = this.local.remove(conn);
    if (last) {
      this.lastSeen.delete(conn.userId);
      this.lastSeen.set(conn.userId, Date.now());
      // Bounded: the oldest entries go first.
      if (this.lastSeen.size > 100_000) this.lastSeen.delete(this.lastSeen.keys().next().value as string);
    }
    return last;
  }

  async presence(userIds: readonly string[]): Promise<Presence[]> {
    const now = Date.now();
    return userIds.map((user_id) =>
      this.local.hasUser(user_id) ? { user_id, online: true, last_seen: now } : { user_id, online: false, last_seen: this.lastSeen.get(user_id) ?? null },
    );
  }

  async stats(): Promise<ClusterStats> {
    return { online_users: this.local.users, connections: this.local.connections, gateways: 1 };
  }

  reaches(userId: string): boolean {
    return this.local.hasUser(userId);
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async healthy(): Promise<boolean> {
    return true;
  }
}
