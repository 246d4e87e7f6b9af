import type { Tag } from '@im/protocol';

/**
 * What ImClient keeps across restarts: events sent but not yet acknowledged (the outbox,
 * resent with the same cid, so a reloaded tab loses nothing and duplicates nothing) and the
 * highest seq delivered to the app per conversation (so a restart resumes the stream where
 * it stopped instead of delivering history again).
 */
export interface OutboxEntry {
  cid: string;
  conversation_id: string;
  kind: number;
  content: string;
  tags: Tag[];
  /** Local time it was queued, in ms: entries are resent in this order. */
  queued_at: number;
}

export interface ImStore {
  /** Every entry not yet acknowledged, oldest first. */
  loadOutbox(): Promise<OutboxEntry[]>;
  putOutbox(entry: OutboxEntry): Promise<void>;
  removeOutbox(cid: string): Promise<void>;
  /** conversation_id → highest seq delivered to the app. */
  loadCursors(): Promise<Record<string, number>>;
  putCursors(cursors: Record<string, number>): Promise<void>;
  /** Forgets everything (logout). */
  clear(): Promise<void>;
}

export function byQueueOrder(a: OutboxEntry, b: OutboxEntry): number {
  return a.queued_at - b.queued_at || (a.cid < b.cid ? -1 : a.cid > b.cid ? 1 : 0);
}

/** Keeps everything in memory: survives reconnects, not restarts. The default. */
export class MemoryStore implements ImStore {
  private readonly outbox = new Map<string, OutboxEntry>();
  private cursors: Record<string, number> = {};

  async loadOutbox(): Promise<OutboxEntry[]> {
    return [...this.outbox.values()].sort(byQueueOrder);
  }

  async putOutbox(entry: OutboxEntry): Promise<void> {
    this.outbox.set(entry.cid, { ...entry });
  }

  async removeOutbox(cid: string): Promise<void> {
    this.outbox.delete(cid);
  }

  async loadCursors(): Promise<Record<string, number>> {
    return { ...this.cursors };
  }

  async putCursors(cursors: Record<string, number>): Promise<void> {
    this.cursors = { ...this.cursors, ...cursors };
  }

  async clear(): Promise<void> {
    this.outbox.clear();
    this.cursors = {};
  }
}
