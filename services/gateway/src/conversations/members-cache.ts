import type { ConversationInfo } from '@im/protocol';

export interface MembersCacheOptions {
  maxEntries: number;
  ttlMs: number;
  now?: () => number;
}

interface Entry {
  info: ConversationInfo;
  memberIds: string[];
  expires: number;
}

/**
 * conversation → members, read on every send. Bounded (least recently used entries go
 * first) and short-lived; dropped at once when a change to membership is announced. Lookups
 * for the same conversation while one is under way share it.
 */
export class MembersCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();
  private generation = 0;
  private readonly now: () => number;

  constructor(
    private readonly load: (conversationId: string) => Promise<ConversationInfo>,
    private readonly options: MembersCacheOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async get(conversationId: string): Promise<{ info: ConversationInfo; memberIds: string[] }> {
    const hit = this.entries.get(conversationId);
    if (hit && hit.expires > this.now()) {
      // Refresh its place in the LRU order.
      this.entries.delete(conversationId);
      this.entries.set(conversationId, hit);
      return hit;
    }
    let pending = this.loading.get(conversationId);
    if (!pending) {
      const generation = this.generation;
      pending = this.load(conversationId)
        .then((info) => {
          const entry = { info, memberIds: info.members.map((m) => m.user_id), expires: this.now() + this.options.ttlMs };
          // An invalidation that arrived while loading makes this answer stale: do not keep it.
          if (generation === this.generation) this.store(conversationId, entry);
          return entry;
        })
        .finally(() => this.loading.delete(conversationId));
      this.loading.set(conversationId, pending);
    }
    return pending;
  }

  private store(conversationId: string, entry: Entry): void {
    this.entries.delete(conversationId);
    this.entries.set(conversationId, entry);
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  invalidate(conversationIds: Iterable<string>): void {
    this.generation++;
    for (const id of conversationIds) {
      this.entries.delete(id);
      this.loading.delete(id);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
