import { performance } from 'node:perf_hooks';
import type { Db } from '@im/db';
import { errorFields, type Logger } from '@im/kit';
import type { SearchRepository } from './repository.js';
import { conversationHash, grams, keysOf, searchBody } from './text.js';

export interface IndexerOptions {
  /** Milliseconds between rounds while the queue is empty. */
  intervalMs: number;
  /** Documents moved per statement. */
  batch: number;
  /**
   * The share of time the indexer may spend writing (0..1]: after a batch that took t ms it
   * waits t × (1/duty − 1) before the next, so under a burst of stores it takes at most this
   * share of one database connection's time from them; the queue absorbs the rest and is
   * caught up when the burst is over.
   */
  duty: number;
  /** Queue rows taken off between two vacuums of the queue (run once the queue is short). */
  vacuumEvery: number;
  /**
   * While `busy()` says stores are waiting for a commit slot, rounds are put off, for at
   * most this many milliseconds since the last round ran (0: never put off): a saturated
   * store path keeps the CPU, the queue absorbs the burst, and searches read the queue.
   */
  maxDeferMs: number;
  busy?: () => boolean;
  onMoved?: (n: number) => void;
}

/**
 * Writes search documents off the ack path: a store only queues its event (in an unlogged
 * table, so the row costs its commit no disk time); this loop
 * computes each queued event's document from its current state (normalised text, keys)
 * and writes it under the key index, or drops it for a revoked event, in batches. Several
 * relays may run it at once (rows are claimed with SKIP LOCKED). Faults are logged and
 * retried next round.
 */
export class SearchIndexer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private movedSinceVacuum = 0;
  private lastRanAt = Number.NEGATIVE_INFINITY;
  private merging = true;

  constructor(
    private readonly db: Db,
    private readonly search: SearchRepository,
    private readonly logger: Logger,
    private readonly options: IndexerOptions,
  ) {}

  start(): void {
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.round().finally(() => (this.running = undefined));
    }, ms);
    this.timer.unref();
  }

  private async round(): Promise<void> {
    let full = false;
    const started = performance.now();
    if (this.options.busy?.() && started - this.lastRanAt < this.options.maxDeferMs) {
      this.schedule(this.options.intervalMs);
      return;
    }
    this.lastRanAt = started;
    try {
      await this.rebuildIfEmptied();
      const moved = await this.indexBatch();
      if (moved > 0) this.options.onMoved?.(moved);
      full = moved >= this.options.batch;
      this.movedSinceVacuum += moved;
      if (!full && this.movedSinceVacuum >= this.options.vacuumEvery) {
        this.movedSinceVacuum = 0;
        await this.search.vacuumQueue();
      }
    } catch (err) {
      this.logger.warn('search indexing failed; retrying', errorFields(err));
    }
    // A full batch means more are waiting: go on after the pause the duty cycle asks for.
    const spent = performance.now() - started;
    this.schedule(full ? Math.ceil(spent * (1 / this.options.duty - 1)) : this.options.intervalMs);
  }

  /** After a crash or a failover emptied the (unlogged) search tables, queues every searchable event again. */
  private async rebuildIfEmptied(): Promise<void> {
    if (await this.search.indexPresent()) return;
    const queued = await this.db.transaction((tx) => this.search.requeueAll(tx));
    if (queued !== undefined) this.logger.warn('the search index was emptied (a crash or a failover): every searchable event is queued to rebuild it', { queued });
  }

  /**
   * One batch in one transaction, then the merge of the documents it wrote; the number of
   * queued events it took.
   */
  async indexBatch(): Promise<number> {
    const { taken, written } = await this.db.transaction(async (tx) => {
      const rows = await this.search.claimQueued(this.options.batch, tx);
      const docs = [];
      const dropped = [];
      const hashes = new Map<string, number>();
      for (const r of rows) {
        const body = r.kind === undefined || r.kind === null || r.revoked_at !== null ? undefined : searchBody(r.kind, r.current_content ?? r.content!, r.tags!);
        if (body === undefined) {
          dropped.push({ conversation_id: r.conversation_id, seq: r.seq });
          continue;
        }
        let hash = hashes.get(r.conversation_id);
        if (hash === undefined) hashes.set(r.conversation_id, (hash = conversationHash(r.conversation_id)));
        docs.push({ conversation_id: r.conversation_id, seq: r.seq, sender_id: r.sender_id!, kind: r.kind!, created_at: r.created_at!, body, grams: keysOf(hash, grams(body)) });
      }
      if (rows.length > 0) await this.search.applyIndexed(docs, dropped, tx);
      return { taken: rows.length, written: docs.length };
    });
    // Merged into the key index right after the commit, so searches never read more than a
    // round of pending entries; not before it, as the merge is most of a round's time and
    // an edit or revoke of a claimed event waits for the round's commit. A merge that fails
    // is made up by the next one (it takes every pending entry); the round's documents are
    // committed and counted either way. Where the relay's role does not own the index
    // (migrations run as another role), PostgreSQL merges every 4 MB as it would anyway:
    // warned once.
    if (written > 0 && this.merging) {
      const merged = await this.search.mergePending().catch((err: unknown) => {
        this.logger.warn('merging the search key index failed; the next round merges', errorFields(err));
        return true;
      });
      if (!merged) {
        this.merging = false;
        this.logger.warn('the relay does not own the search key index: its pending entries are merged only every 4 MB, and searches read them meanwhile');
      }
    }
    return taken;
  }

  /** Stops after the round under way, so the pool can close. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
