import { Worker } from 'node:worker_threads';
import { errorFields, type Logger } from '@im/kit';
import type { IndexerMessage, IndexerWorkerData } from './indexer-worker.js';

const WORKER = new URL('./indexer-worker.js', import.meta.url);
/** How long a crashed indexer thread waits before it is started again. */
export const RESTART_MS = 1000;
/** How long stopping waits for the round under way before the thread is ended. */
const STOP_MS = 10_000;
/** How often the store backlog is published to the thread. */
const BACKLOG_MS = 10;

/**
 * The search indexer in a thread of its own, with its own database connection: normalising
 * text, computing keys and building its statements never hold the relay's event loop, so a
 * store that arrives during a round is answered as if no round ran. A thread that dies is
 * started again.
 */
export class IndexerThread {
  private worker: Worker | undefined;
  private stopping = false;
  private restart: NodeJS.Timeout | undefined;
  private publisher: NodeJS.Timeout | undefined;
  private readonly backlog = new Int32Array(new SharedArrayBuffer(4));

  /** `waiting()`: the stores waiting for a commit slot, read every BACKLOG_MS for the indexer. */
  constructor(
    private readonly data: Omit<IndexerWorkerData, 'backlog'>,
    private readonly logger: Logger,
    private readonly onMoved: (n: number) => void,
    private readonly waiting: () => number,
    /** The thread's module (tests start others). */
    private readonly entry: URL = WORKER,
  ) {}

  start(): void {
    if (!this.publisher) {
      this.publisher = setInterval(() => Atomics.store(this.backlog, 0, this.waiting()), BACKLOG_MS);
      this.publisher.unref();
    }
    const worker = new Worker(this.entry, { workerData: { ...this.data, backlog: this.backlog.buffer } });
    this.worker = worker;
    worker.on('message', (m: IndexerMessage) => this.onMoved(m.n));
    worker.on('error', (err) => this.logger.error('search indexer thread failed', errorFields(err)));
    worker.on('exit', (code) => {
      this.worker = undefined;
      if (this.stopping) return;
      this.logger.error('search indexer thread ended; starting it again', { code, inMs: RESTART_MS });
      this.restart = setTimeout(() => this.start(), RESTART_MS);
      this.restart.unref();
    });
  }

  /** Ends the thread after the round under way (its transaction commits or rolls back). */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restart);
    clearInterval(this.publisher);
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' });
    const timer = setTimeout(() => void worker.terminate(), STOP_MS);
    await exited;
    clearTimeout(timer);
  }
}
