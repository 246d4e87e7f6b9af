import type { ConversationInfo } from '@im/protocol';

export interface MembersCacheOptions {
  /** Most bytes the entries may take (estimated): a 500-member group weighs 500 small ones. */
  maxBytes: number;
  ttlMs: number;
  now?: () => number;
}

export interface CachedConversation {
  info: ConversationInfo;
  memberIds: string[];
  /** user_id → join_seq, for the membership check on every send. */
  joinSeqs: Map<string, number>;
}

interface Entry extends CachedConversation {
  expires: number;
  bytes: number;
}

/**
 * An estimate of what an entry holds in memory: the info object, the member list and its
 * map, per member about three copies of the id plus the objects around them.
 */
export function entryBytes(info: ConversationInfo): number {
  let bytes = 400 + info.conversation_id.length * 2 + info.name.length * 2;
  for (const m of info.members) bytes += 200 + m.user_id.length * 6;
  return bytes;
}

interface Loading {
  promise: Promise<Entry>;
  /** Set when an invalidation arrives while loading: the answer is not kept. */
  stale: boolean;
}

/**
 * conversation → members, read on every send. Bounded in (estimated) bytes, so a cache of
 * big groups holds fewer of them (least recently used entries go first), and short-lived; dropped at once when a change to membership is announced. Lookups
 * for the same conversation while one is under way share it.
 */
export class MembersCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private readonly loading = new Map<string, Loading>();
  private readonly now: () => number;

  constructor(
    private readonly load: (conversationId: string) => Promise<ConversationInfo>,
    private readonly options: MembersCacheOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async get(conversationId: string): Promise<CachedConversation> {
    const hit = this.entries.get(conversationId);
    if (hit && hit.expires > this.now()) {
      // Refresh its place in the LRU order.
      this.entries.delete(conversationId);
      this.entries.set(conversationId, hit);
      return hit;
    }
    const current = this.loading.get(conversationId);
    if (current) return current.promise;
    const loading: Loading = { promise: undefined as unknown as Promise<Entry>, stale: false };
    loading.promise = this.load(conversationId)
      .then((info) => {
        const entry: Entry = {
          info,
          memberIds: info.members.map((m) => m.user_id),
          joinSeqs: new Map(info.members.map((m) => [m.user_id, m.join_seq])),
          expires: this.now() + this.options.ttlMs,
          bytes: entryBytes(info),
        };
        if (!loading.stale) this.store(conversationId, entry);
        return entry;
      })
      .finally(() => {
        if (this.loading.get(conversationId) === loading) this.loading.delete(conversationId);
      });
    this.loading.set(conversationId, loading);
    return loading.promise;
  }

  private store(conversationId: string, entry: Entry): void {
    this.remove(conversationId);
    // An entry larger than the whole budget is used once and not kept.
    if (entry.bytes > this.options.maxBytes) return;
    this.entries.set(conversationId, entry);
    this.bytes += entry.bytes;
    while (this.bytes > this.options.maxBytes) this.remove(this.entries.keys().next().value as string);
  }

  private remove(conversationId: string): void {
    const entry = this.entries.get(conversationId);
    if (!entry) return;
    this.entries.delete(conversationId);
    this.bytes -= entry.bytes;
  }

  invalidate(conversationIds: Iterable<string>): void {
    for (const id of conversationIds) {
      this.remove(id);
      const loading = this.loading.get(id);
      if (loading) {
        loading.stale = true;
        this.loading.delete(id);
      }
    }
  }

  /** Forgets everything: after signals may have been lost, nothing cached can be trusted. */
  clear(): void {
    this.entries.clear();
    this.bytes = 0;
    for (const loading of this.loading.values()) loading.stale = true;
    this.loading.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Estimated bytes held. */
  get weight(): number {
    return this.bytes;
  }
}
