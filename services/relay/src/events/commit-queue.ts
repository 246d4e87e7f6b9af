/** A result slot for an item that failed on its own while the rest of its batch succeeded. */
export class ItemFailure {
  constructor(readonly error: unknown) {}
}

/**
 * Group commit: items pushed while a batch is being written wait and leave together in the
 * next one. At low load a batch holds one item and goes at once; under load batches grow
 * to `maxBatch`, so many items share one transaction and one fsync.
 *
 * With `keyOf`, batches in flight at the same time never share a key (a conversation): their
 * transactions then never wait on each other's row locks, so they commit in parallel and
 * share the disk flush; items of one key still leave in the order they came.
 */
export class CommitQueue<I, O> {
  private pending: Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }> = [];
  private inFlight = 0;

  constructor(
    private readonly run: (items: I[]) => Promise<Array<O | ItemFailure>>,
    private readonly options: { maxBatch: number; concurrency: number; onBatch?: (size: number) => void; keyOf?: (item: I) => string },
  ) {}

  /** Keys of the batches in flight, with how many batches hold each. */
  private readonly busy = new Map<string, number>();

  push(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.drain();
    });
  }

  get size(): number {
    return this.pending.length;
  }

  /**
   * Items waiting while every commit slot is taken: the store path is saturated. Items held
   * back only because their own key has a batch in flight, with slots free, do not count.
   */
  get waitingForSlot(): number {
    return this.inFlight >= this.options.concurrency ? this.pending.length : 0;
  }

  /** The next batch: the oldest items whose keys are not in flight. */
  private take(): typeof this.pending {
    const keyOf = this.options.keyOf;
    if (!keyOf) return this.pending.splice(0, this.options.maxBatch);
    const batch: typeof this.pending = [];
    const rest: typeof this.pending = [];
    for (const entry of this.pending) {
      if (batch.length < this.options.maxBatch && !this.busy.has(keyOf(entry.item))) batch.push(entry);
      else rest.push(entry);
    }
    this.pending = rest;
    return batch;
  }

  private drain(): void {
    while (this.inFlight < this.options.concurrency && this.pending.length > 0) {
      const batch = this.take();
      if (batch.length === 0) return;
      const keys = this.options.keyOf ? [...new Set(batch.map((b) => this.options.keyOf!(b.item)))] : [];
      for (const k of keys) this.busy.set(k, (this.busy.get(k) ?? 0) + 1);
      this.inFlight++;
      this.options.onBatch?.(batch.length);
      this.run(batch.map((b) => b.item))
        .then(
          (results) =>
            batch.forEach((b, i) => {
              const r = results[i]!;
              if (r instanceof ItemFailure) b.reject(r.error);
              else b.resolve(r);
            }),
          (err) => batch.forEach((b) => b.reject(err)),
        )
        .finally(() => {
          for (const k of keys) {
            const n = this.busy.get(k)! - 1;
            if (n === 0) this.busy.delete(k);
            else this.busy.set(k, n);
          }
          this.inFlight--;
          this.drain();
        });
    }
  }
}
