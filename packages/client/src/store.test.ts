import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IDBFactory } from 'fake-indexeddb';
import { MemoryStore, type ImStore, type OutboxEntry } from './store.js';
import { LocalStorageStore, type StorageLike } from './store-local-storage.js';
import { IndexedDbStore, type IndexedDbFactory } from './store-indexeddb.js';

/** Web Storage semantics over a Map: what window.localStorage does, in Node. */
class MapStorage implements StorageLike {
  private readonly map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, String(v));
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
  get length() {
    return this.map.size;
  }
  key(i: number) {
    return [...this.map.keys()][i] ?? null;
  }
}

const entry = (cid: string, queued_at: number): OutboxEntry => ({ cid, conversation_id: 'c1', kind: 1, content: `text ${cid}`, tags: [['mention', 'u2']], queued_at });

// The same behaviour from every adapter; `reopen` gives a second store over the same data,
// as a reloaded page would get.
const adapters: Array<{ name: string; make: () => { store: ImStore; reopen: () => ImStore } }> = [
  {
    name: 'MemoryStore',
    make: () => {
      const store = new MemoryStore();
      return { store, reopen: () => store };
    },
  },
  {
    name: 'LocalStorageStore',
    make: () => {
      const storage = new MapStorage();
      storage.setItem('unrelated', 'x');
      return { store: new LocalStorageStore('im:alice:', storage), reopen: () => new LocalStorageStore('im:alice:', storage) };
    },
  },
  {
    name: 'IndexedDbStore',
    make: () => {
      const factory = new IDBFactory() as unknown as IndexedDbFactory;
      return { store: new IndexedDbStore('im-test', factory), reopen: () => new IndexedDbStore('im-test', factory) };
    },
  },
];

for (const adapter of adapters) {
  describe(adapter.name, () => {
    test('keeps outbox entries in queue order until removed, across a reopen', async () => {
      const { store, reopen } = adapter.make();
      await store.putOutbox(entry('b', 2));
      await store.putOutbox(entry('a', 1));
      await store.putOutbox(entry('c', 2));
      const again = reopen();
      assert.deepEqual((await again.loadOutbox()).map((e) => e.cid), ['a', 'b', 'c']);
      assert.deepEqual((await again.loadOutbox())[0], entry('a', 1));
      await again.removeOutbox('b');
      await again.removeOutbox('missing');
      assert.deepEqual((await store.loadOutbox()).map((e) => e.cid), ['a', 'c']);
    });

    test('merges cursors and forgets everything on clear', async () => {
      const { store, reopen } = adapter.make();
      assert.deepEqual(await store.loadCursors(), {});
      await store.putCursors({ c1: 4, c2: 9 });
      await store.putCursors({ c1: 5 });
      assert.deepEqual(await reopen().loadCursors(), { c1: 5, c2: 9 });
      await store.putOutbox(entry('a', 1));
      await store.clear();
      assert.deepEqual(await reopen().loadCursors(), {});
      assert.deepEqual(await reopen().loadOutbox(), []);
    });
  });
}

test('LocalStorageStore keeps accounts apart by prefix and leaves other keys alone', async () => {
  const storage = new MapStorage();
  storage.setItem('theme', 'dark');
  const alice = new LocalStorageStore('im:alice:', storage);
  const bob = new LocalStorageStore('im:bob:', storage);
  await alice.putOutbox(entry('a', 1));
  await bob.putCursors({ c: 1 });
  assert.deepEqual(await bob.loadOutbox(), []);
  await alice.clear();
  assert.deepEqual(await bob.loadCursors(), { c: 1 });
  assert.equal(storage.getItem('theme'), 'dark');
});
