import type { Ack } from '@im/protocol';
import type { ImError } from './errors.js';
import { byQueueOrder, type ImStore, type OutboxEntry } from './store.js';

interface Waiter {
  resolve: (ack: Ack) => void;
  reject: (err: ImError) => void;
}

/**
 * Events sent and not yet acknowledged, in the order they were sent. An entry is written
 * to the store before it goes out and removed only once its ack (or a final refusal)
 * arrives, so a dropped socket or a reloaded page resends it, with the same cid, which the
 * server answers with the original ack. Deciding when to transmit is ImClient's.
 */
export class Outbox {
  private readonly entries = new Map<string, OutboxEntry>();
  private readonly waiters = new Map<string, Waiter[]>();

  constructor(private readonly store: ImStore) {}

  /** Takes in what an earlier run left unacknowledged; they go first. */
  async restore(): Promise<OutboxEntry[]> {
    const saved = await this.store.loadOutbox();
    const fresh = saved.filter((e) => !this.entries.has(e.cid));
    const current = [...this.entries.values()];
    this.entries.clear();
    for (const e of [...fresh, ...current].sort(byQueueOrder)) this.entries.set(e.cid, e);
    return fresh;
  }

  /** Queues an entry (stored first); the promise of its ack is `wait(cid)`. */
  async add(entry: OutboxEntry): Promise<void> {
    if (this.entries.has(entry.cid)) return;
    await this.store.putOutbox(entry);
    this.entries.set(entry.cid, entry);
  }

  /** Resolves with the entry's ack, or rejects with its final refusal. */
  wait(cid: string): Promise<Ack> {
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(cid) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(cid, list);
    });
  }

  has(cid: string): boolean {
    return this.entries.has(cid);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The entries in the order they go out. */
  list(): OutboxEntry[] {
    return [...this.entries.values()];
  }

  /** The ack arrived: the entry is done. Returns it, or undefined when it was not queued. */
  async settle(cid: string, ack: Ack): Promise<OutboxEntry | undefined> {
    const entry = this.entries.get(cid);
    if (!entry) return undefined;
    this.entries.delete(cid);
    await this.store.removeOutbox(cid).catch(() => undefined);
    for (const w of this.take(cid)) w.resolve(ack);
    return entry;
  }

  /** A final refusal (the server will never take it): the entry is dropped. */
  async fail(cid: string, err: ImError): Promise<OutboxEntry | undefined> {
    const entry = this.entries.get(cid);
    if (!entry) return undefined;
    this.entries.delete(cid);
    await this.store.removeOutbox(cid).catch(() => undefined);
    for (const w of this.take(cid)) w.reject(err);
    return entry;
  }

  /** Rejects every waiting promise (the client stops); the entries stay stored for a later run. */
  rejectAll(err: ImError): void {
    for (const list of this.waiters.values()) for (const w of list) w.reject(err);
    this.waiters.clear();
  }

  private take(cid: string): Waiter[] {
    const list = this.waiters.get(cid) ?? [];
    this.waiters.delete(cid);
    return list;
  }
}
