import { Worker } from 'node:worker_threads';
import { errorFields, type Logger } from '@im/kit';
import type { IndexerMessage, IndexerWorkerData } from './indexer-worker.js';

const WORKER = new URL('./indexer-worker.js', import.meta.url);
/** How long a crashed indexer thread waits before it is started again. */
const RESTART_MS = 1000;
/** How long stopping waits for the round under way before the thread is ended. */
const STOP_MS = 10_000;

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

  constructor(
    private readonly data: IndexerWorkerData,
    private readonly logger: Logger,
    private readonly onMoved: (n: number) => void,
  ) {}

  start(): void {
    const worker = new Worker(WORKER, { workerData: this.data });
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
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' });
    const timer = setTimeout(() => void worker.terminate(), STOP_MS);
    await exited;
    clearTimeout(timer);
  }
}
