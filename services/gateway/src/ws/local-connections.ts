import type { Connection } from './connection.js';

/** The sockets this gateway holds, by user; a user's set is in the order they opened. */
export class LocalConnections {
  private readonly byUser = new Map<string, Set<Connection>>();
  private count = 0;

  /** Adds a socket; returns the user's sockets that now exceed `max`, oldest first. */
  add(conn: Connection, max: number): Connection[] {
    let set = this.byUser.get(conn.userId);
    if (!set) {
      set = new Set();
      this.byUser.set(conn.userId, set);
    }
    set.add(conn);
    this.count++;
    const excess: Connection[] = [];
    for (const c of set) {
      if (set.size - excess.length <= max) break;
      excess.push(c);
    }
    return excess;
  }

  /** Removes a socket; true when it was the user's last one here. */
  remove(conn: Connection): boolean {
    const set = this.byUser.get(conn.userId);
    if (!set?.delete(conn)) return false;
    this.count--;
    if (set.size === 0) {
      this.byUser.delete(conn.userId);
      return true;
    }
    return false;
  }

  find(userId: string, connId: number): Connection | undefined {
    for (const c of this.byUser.get(userId) ?? []) if (c.id === connId) return c;
    return undefined;
  }

  of(userId: string): ReadonlySet<Connection> | undefined {
    return this.byUser.get(userId);
  }

  /**
   * Sends the same bytes to every local socket of the users except one; with
   * `subscribedTo`, only to sockets subscribed to that conversation.
   */
  deliver(userIds: Iterable<string>, bytes: Uint8Array, exceptConnId?: number, subscribedTo?: string): number {
    let sent = 0;
    for (const userId of userIds) {
      const set = this.byUser.get(userId);
      if (!set) continue;
      for (const conn of set) {
        if (conn.id === exceptConnId) continue;
        if (subscribedTo !== undefined && !conn.subscriptions?.has(subscribedTo)) continue;
        conn.push(bytes);
        sent++;
      }
    }
    return sent;
  }

  *all(): IterableIterator<Connection> {
    for (const set of this.byUser.values()) yield* set;
  }

  hasUser(userId: string): boolean {
    return this.byUser.has(userId);
  }

  get connections(): number {
    return this.count;
  }

  get users(): number {
    return this.byUser.size;
  }
}
