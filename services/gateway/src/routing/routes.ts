/**
 * Which other gateways hold sockets of which users, kept in memory so a delivery needs no
 * Redis read. Filled from Redis (each gateway's user set) and kept current by the route
 * messages gateways publish when a user's first socket opens there or the last one closes.
 * Changes that arrive while it is being refilled are replayed on top of the fresh copy.
 */
export class RouteTable {
  private byUser = new Map<string, Set<string>>();
  /** One journal per refill under way: refills may overlap. */
  private readonly journals = new Set<Array<[gateway: string, user: string, on: boolean]>>();

  gatewaysOf(userId: string): ReadonlySet<string> | undefined {
    return this.byUser.get(userId);
  }

  set(gateway: string, userId: string, on: boolean): void {
    for (const journal of this.journals) journal.push([gateway, userId, on]);
    apply(this.byUser, gateway, userId, on);
  }

  /** Forgets a gateway (it died, restarted or will be read again). */
  dropGateway(gateway: string): void {
    for (const [user, set] of this.byUser) {
      if (set.delete(gateway) && set.size === 0) this.byUser.delete(user);
    }
  }

  /**
   * Replaces the table with what `read` returns (gateway → its users), without losing the
   * changes that arrive while it reads. With `only`, replaces just that gateway's entries.
   */
  async refill(read: () => Promise<Map<string, string[]>>, only?: string): Promise<void> {
    const journal: Array<[string, string, boolean]> = [];
    this.journals.add(journal);
    try {
      const fresh = await read();
      const next = only === undefined ? new Map<string, Set<string>>() : this.byUser;
      if (only !== undefined) for (const [user, set] of next) if (set.delete(only) && set.size === 0) next.delete(user);
      for (const [gateway, users] of fresh) for (const u of users) apply(next, gateway, u, true);
      for (const [gateway, user, on] of journal) if (only === undefined || gateway === only) apply(next, gateway, user, on);
      this.byUser = next;
    } finally {
      this.journals.delete(journal);
    }
  }

  get users(): number {
    return this.byUser.size;
  }
}

function apply(map: Map<string, Set<string>>, gateway: string, userId: string, on: boolean): void {
  let set = map.get(userId);
  if (on) {
    if (!set) map.set(userId, (set = new Set()));
    set.add(gateway);
  } else if (set?.delete(gateway) && set.size === 0) {
    map.delete(userId);
  }
}
