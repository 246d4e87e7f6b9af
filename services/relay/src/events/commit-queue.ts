/** A result slot for an item that failed on its own while the rest of its batch succeeded. */
export class ItemFailure {
  constructor(readonly error: unknown) {}
}

/**
 * Group commit: items pushed while a batch is being written wait and leave together in the
 * next one. At low load a batch holds one item and goes at once; under load batches grow
 * to `maxBatch`, so many items share one transaction and one fsync.
 */
export class CommitQueue<I, O> {
  private pending: Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }> = [];
  private inFlight = 0;

  constructor(
    private readonly run: (items: I[]) => Promise<Array<O | ItemFailure>>,
    private readonly options: { maxBatch: number; concurrency: number; onBatch?: (size: number) => void },
  ) {}

  push(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.drain();
    });
  }

  get size(): number {
    return this.pending.length;
  }

  private drain(): void {
    while (this.inFlight < this.options.concurrency && this.pending.length > 0) {
      const batch = this.pending.splice(0, this.options.maxBatch);
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
          this.inFlight--;
          this.drain();
        });
    }
  }
}
