export interface TickBatcherOptions {
  /** Keys per call of `load` (default 1000). */
  maxBatch?: number;
  /**
   * Calls of `load` under way at once (default: no limit). At the limit, keys gather until a
   * call returns and then go together: under load the batches grow by themselves, with no
   * wait added when idle.
   */
  concurrency?: number;
  /**
   * With a window, keys gather for that long after the first instead of one turn: for
   * lookups that may wait a little and arrive spread over many turns (sockets closing).
   */
  windowMs?: number;
}

/**
 * Gathers the keys asked for within one turn of the event loop and answers them all with
 * one call of `load`, in chunks of at most `maxBatch` keys: a burst of lookups (a thousand
 * sockets reconnecting at once) costs a few round trips and queries instead of one each.
 * A key asked for twice in a batch is loaded once. A failed load fails every key of its chunk.
 */
export class TickBatcher<K, V> {
  private pending = new Map<K, Array<{ resolve: (v: V | undefined) => void; reject: (err: unknown) => void }>>();
  private scheduled = false;
  private inFlight = 0;
  private readonly maxBatch: number;
  private readonly concurrency: number;
  private readonly windowMs: number;

  constructor(
    private readonly load: (keys: K[]) => Promise<Map<K, V>>,
    options: TickBatcherOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 1000;
    if (!(this.maxBatch >= 1)) throw new RangeError('maxBatch must be at least 1');
    this.concurrency = options.concurrency ?? Infinity;
    this.windowMs = options.windowMs ?? 0;
  }

  get(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const waiting = this.pending.get(key);
      if (waiting) waiting.push({ resolve, reject });
      else this.pending.set(key, [{ resolve, reject }]);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.concurrency) return;
    this.scheduled = true;
    // After this turn's I/O callbacks: every request read in one poll joins the batch.
    if (this.windowMs > 0) setTimeout(() => this.flush(), this.windowMs);
    else setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    if (this.pending.size === 0) return;
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
      this.inFlight++;
      const fail = (err: unknown) => {
        for (const k of chunk) for (const w of batch.get(k)!) w.reject(err);
      };
      loading
        .then((found) => {
          // A promise settles once: a failure part-way (an answer that is not a map) fails the rest.
          try {
            for (const k of chunk) for (const w of batch.get(k)!) w.resolve(found.get(k));
          } catch (err) {
            fail(err);
          }
        }, fail)
        .finally(() => {
          this.inFlight--;
          if (this.pending.size > 0) this.schedule();
        });
    }
  }
}
