/**
 * Gathers the keys asked for within one turn of the event loop and answers them all with
 * one call of `load`, in chunks of at most `maxBatch` keys: a burst of lookups (a thousand
 * sockets reconnecting at once) costs a few round trips and queries instead of one each.
 * A key asked for twice in a turn is loaded once. A failed load fails every key of its chunk.
 */
export class TickBatcher<K, V> {
  private pending = new Map<K, Array<{ resolve: (v: V | undefined) => void; reject: (err: unknown) => void }>>();
  private scheduled = false;

  constructor(
    private readonly load: (keys: K[]) => Promise<Map<K, V>>,
    private readonly maxBatch = 1000,
  ) {}

  get(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const waiting = this.pending.get(key);
      if (waiting) waiting.push({ resolve, reject });
      else this.pending.set(key, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        // After this turn's I/O callbacks: every request read in one poll joins the batch.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = new Map();
    const keys = [...batch.keys()];
    for (let i = 0; i < keys.length; i += this.maxBatch) {
      const chunk = keys.slice(i, i + this.maxBatch);
      let loading: Promise<Map<K, V>>;
      try {
        loading = this.load(chunk);
      } catch (err) {
        loading = Promise.reject(err);
      }
      loading.then(
        (found) => {
          for (const k of chunk) for (const w of batch.get(k)!) w.resolve(found.get(k));
        },
        (err: unknown) => {
          for (const k of chunk) for (const w of batch.get(k)!) w.reject(err);
        },
      );
    }
  }
}
