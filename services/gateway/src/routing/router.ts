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

/**
 * Routes between gateways. The base class owns local delivery and signal handling;
 * subclasses only move bytes (in-process for a lone gateway, Redis for a cluster).
 */
export abstract class Router {
  private signalHandler: ((signal: ClusterSignal) => void) | undefined;

  constructor(protected readonly local: LocalConnections) {}

  /**
   * Delivers bytes to every socket of the users, wherever connected, except one socket;
   * with `subscribedTo`, only to sockets subscribed to that conversation.
   */
  abstract deliver(userIds: readonly string[], bytes: Uint8Array, exceptConnId?: number, subscribedTo?: string): void;

  /** Runs a signal on every gateway, this one included. */
  abstract broadcast(signal: ClusterSignal): void;

  abstract stats(): Promise<ClusterStats>;

  /** Which of these users have at least one open socket anywhere in the cluster. */
  abstract online(userIds: readonly string[]): Promise<Set<string>>;

  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;

  /** Health of the shared layer; the in-process router is always healthy. */
  abstract healthy(): Promise<boolean>;

  onSignal(handler: (signal: ClusterSignal) => void): void {
    this.signalHandler = handler;
  }

  protected handleSignal(signal: ClusterSignal): void {
    this.signalHandler?.(signal);
  }
}

/** The router of a gateway that runs alone: everything is local. */
export class InProcessRouter extends Router {
  deliver(userIds: readonly string[], bytes: Uint8Array, exceptConnId?: number, subscribedTo?: string): void {
    this.local.deliver(userIds, bytes, exceptConnId, subscribedTo);
  }

  broadcast(signal: ClusterSignal): void {
    this.handleSignal(signal);
  }

  async stats(): Promise<ClusterStats> {
    return { online_users: this.local.users, connections: this.local.connections, gateways: 1 };
  }

  async online(userIds: readonly string[]): Promise<Set<string>> {
    return new Set(userIds.filter((id) => this.local.hasUser(id)));
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async healthy(): Promise<boolean> {
    return true;
  }
}
