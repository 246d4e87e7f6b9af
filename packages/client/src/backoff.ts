/**
 * Full-jitter exponential backoff: the n-th retry waits a random time between 0 and
 * min(max, base × 2^n). Spreading retries over the whole window keeps a crowd of clients
 * that lost one gateway from arriving at the next one together.
 */
export interface BackoffOptions {
  /** The first window, in ms (default 500). */
  baseMs?: number;
  /** The largest window, in ms (default 30 000). */
  maxMs?: number;
}

export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const base = options.baseMs ?? 500;
  const max = options.maxMs ?? 30_000;
  // 2^attempt overflows nothing below 2^1023; cap the exponent so the product stays finite.
  const window = Math.min(max, base * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * window);
}
