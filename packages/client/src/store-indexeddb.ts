import { byQueueOrder, type ImStore, type OutboxEntry } from './store.js';

// The few IndexedDB types used, declared here so the SDK needs no DOM typings.
interface Req<T> {
  result: T;
  error: unknown;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}
interface OpenReq extends Req<Db> {
  onupgradeneeded: (() => void) | null;
  onblocked: (() => void) | null;
}
interface ObjectStore {
  put(value: unknown, key?: string): Req<unknown>;
  delete(key: string): Req<unknown>;
  get(key: string): Req<unknown>;
  getAll(): Req<unknown[]>;
  clear(): Req<unknown>;
}
interface Tx {
  objectStore(name: string): ObjectStore;
  oncomplete: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  error: unknown;
}
interface Db {
  objectStoreNames: { contains(name: string): boolean };
  createObjectStore(name: string, options?: { keyPath?: string }): unknown;
  transaction(names: string[], mode: 'readonly' | 'readwrite'): Tx;
  close(): void;
}
export interface IndexedDbFactory {
  open(name: string, version?: number): OpenReq;
}

const OUTBOX = 'outbox';
const CURSORS = 'cursors';

/**
 * Keeps the outbox and cursors in IndexedDB (database `name`, one object store each), for
 * browsers: asynchronous, larger than localStorage, and shared by the tabs of an origin.
 * Give each account its own `name`.
 */
export class IndexedDbStore implements ImStore {
  private db: Promise<Db> | undefined;
  private readonly factory: IndexedDbFactory;

  constructor(
    private readonly name = 'im-client',
    factory?: IndexedDbFactory,
  ) {
    const found = factory ?? (globalThis as { indexedDB?: IndexedDbFactory }).indexedDB;
    if (!found) throw new Error('this environment has no IndexedDB');
    this.factory = found;
  }

  private open(): Promise<Db> {
    this.db ??= new Promise<Db>((resolve, reject) => {
      const req = this.factory.open(this.name, 1);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains(OUTBOX)) db.createObjectStore(OUTBOX, { keyPath: 'cid' });
        if (!db.objectStoreNames.contains(CURSORS)) db.createObjectStore(CURSORS);
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error(`IndexedDB "${this.name}" is blocked by another tab`));
    });
    this.db.catch(() => (this.db = undefined));
    return this.db;
  }

  /** Runs `work` in one transaction and resolves when it has committed. */
  private async tx<T>(stores: string[], mode: 'readonly' | 'readwrite', work: (tx: Tx) => Req<T> | void): Promise<T | undefined> {
    const db = await this.open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(stores, mode);
      const req = work(tx);
      tx.oncomplete = () => resolve(req ? req.result : undefined);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  }

  async loadOutbox(): Promise<OutboxEntry[]> {
    const all = (await this.tx([OUTBOX], 'readonly', (tx) => tx.objectStore(OUTBOX).getAll())) as OutboxEntry[] | undefined;
    return (all ?? []).sort(byQueueOrder);
  }

  async putOutbox(entry: OutboxEntry): Promise<void> {
    await this.tx([OUTBOX], 'readwrite', (tx) => void tx.objectStore(OUTBOX).put({ ...entry, tags: entry.tags.map((t) => [...t]) }));
  }

  async removeOutbox(cid: string): Promise<void> {
    await this.tx([OUTBOX], 'readwrite', (tx) => void tx.objectStore(OUTBOX).delete(cid));
  }

  async loadCursors(): Promise<Record<string, number>> {
    const value = await this.tx([CURSORS], 'readonly', (tx) => tx.objectStore(CURSORS).get('all'));
    return (value as Record<string, number> | undefined) ?? {};
  }

  async putCursors(cursors: Record<string, number>): Promise<void> {
    // Read and write in one transaction, so two writers never lose each other's cursors.
    await this.tx([CURSORS], 'readwrite', (tx) => {
      const store = tx.objectStore(CURSORS);
      const req = store.get('all');
      req.onsuccess = () => void store.put({ ...((req.result as Record<string, number> | undefined) ?? {}), ...cursors }, 'all');
    });
  }

  async clear(): Promise<void> {
    await this.tx([OUTBOX, CURSORS], 'readwrite', (tx) => {
      tx.objectStore(OUTBOX).clear();
      tx.objectStore(CURSORS).clear();
    });
  }

  /** Closes the database connection (tests; a page that goes away needs not). */
  async close(): Promise<void> {
    if (this.db) (await this.db).close();
    this.db = undefined;
  }
}
