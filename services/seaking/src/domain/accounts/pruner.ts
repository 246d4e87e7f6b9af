import type { Logger } from '@im/kit';
import type { LoginCodesRepository } from './codes-repository.js';
import type { SessionsRepository } from './sessions-repository.js';

export interface PruneOptions {
  /** Ended sessions are kept this long (for audits and "your devices" lists), then deleted. */
  keepEndedMs: number;
  /** A refresh token spent longer ago than this cannot be presented to any effect. */
  refreshTtlMs: number;
  /** Expired login codes are kept this long. */
  keepCodesMs: number;
  batch?: number;
}

/**
 * Deletes what accounts leave behind, so the tables do not grow forever: ended sessions
 * with their spent refresh tokens, old spent tokens, expired login codes. In batches, so
 * no statement holds locks for long; several seaking copies may run it at once.
 */
export class Pruner {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly codes: LoginCodesRepository,
    private readonly options: PruneOptions,
    private readonly logger: Logger,
  ) {}

  async run(now = Date.now()): Promise<{ sessions: number; spent: number; codes: number }> {
    const batch = this.options.batch ?? 5000;
    const drain = async (step: () => Promise<number>) => {
      let total = 0;
      for (;;) {
        const n = await step();
        total += n;
        if (n < batch) return total;
      }
    };
    const sessions = await drain(() => this.sessions.pruneEnded(now - this.options.keepEndedMs, batch));
    const spent = await drain(() => this.sessions.pruneSpent(now - this.options.refreshTtlMs, batch));
    const codes = await drain(() => this.codes.pruneExpired(now - this.options.keepCodesMs, batch));
    if (sessions + spent + codes > 0) this.logger.info('pruned', { sessions, spent_refresh_tokens: spent, login_codes: codes });
    return { sessions, spent, codes };
  }

  start(intervalMs: number): void {
    if (intervalMs <= 0) return;
    const tick = () => void this.run().catch((err: Error) => this.logger.warn('pruning failed', { err: err.message }));
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
    setTimeout(tick, Math.min(intervalMs, 60_000)).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
