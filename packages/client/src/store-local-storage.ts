import { byQueueOrder, type ImStore, type OutboxEntry } from './store.js';

/** The part of the Web Storage API the store uses (window.localStorage has it). */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  readonly length: number;
  key(index: number): string | null;
}

/**
 * Keeps the outbox and cursors in localStorage, one key per outbox entry (so a write
 * touches one small value) and one key for the cursors. Synchronous and size-limited
 * (a few MiB per origin), which suits an outbox; use IndexedDbStore for more.
 * `prefix` keeps two accounts (or two apps) on one origin apart.
 */
export class LocalStorageStore implements ImStore {
  private readonly storage: StorageLike;

  constructor(
    private readonly prefix = 'im:',
    storage?: StorageLike,
  ) {
    const found = storage ?? (globalThis as { localStorage?: StorageLike }).localStorage;
    if (!found) throw new Error('this environment has no localStorage');
    this.storage = found;
  }

  private keys(kind: string): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.storage.length; i++) {
      const k = this.storage.key(i);
      if (k !== null && k.startsWith(this.prefix + kind)) out.push(k);
    }
    return out;
  }

  async loadOutbox(): Promise<OutboxEntry[]> {
    const entries: OutboxEntry[] = [];
    for (const k of this.keys('outbox:')) {
      try {
        entries.push(JSON.parse(this.storage.getItem(k) ?? 'null') as OutboxEntry);
      } catch {
        // A value another script overwrote: not ours to resend.
      }
    }
    return entries.filter((e) => e && typeof e.cid === 'string').sort(byQueueOrder);
  }

  async putOutbox(entry: OutboxEntry): Promise<void> {
    this.storage.setItem(`${this.prefix}outbox:${entry.cid}`, JSON.stringify(entry));
  }

  async removeOutbox(cid: string): Promise<void> {
    this.storage.removeItem(`${this.prefix}outbox:${cid}`);
  }

  async loadCursors(): Promise<Record<string, number>> {
    try {
      return (JSON.parse(this.storage.getItem(`${this.prefix}cursors`) ?? '{}') as Record<string, number>) ?? {};
    } catch {
      return {};
    }
  }

  async putCursors(cursors: Record<string, number>): Promise<void> {
    const all = { ...(await this.loadCursors()), ...cursors };
    this.storage.setItem(`${this.prefix}cursors`, JSON.stringify(all));
  }

  async clear(): Promise<void> {
    for (const k of [...this.keys('outbox:'), ...this.keys('cursors')]) this.storage.removeItem(k);
  }
}
