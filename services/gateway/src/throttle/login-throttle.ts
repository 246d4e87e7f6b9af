import { AppError, unavailable } from '@im/protocol';
import type { CounterStore } from './counter-store.js';

export interface LoginThrottleOptions {
  /** Failed logins one account may see within the window. */
  perAccount: number;
  /** Failed logins one client address may make within the window. */
  perAddress: number;
  windowSeconds: number;
}

/**
 * Slows password guessing: after too many failures for one account, or from one address,
 * logins are refused with `rate_limited` and a Retry-After until the window passes.
 */
export class LoginThrottle {
  constructor(
    private readonly store: CounterStore,
    private readonly options: LoginThrottleOptions,
  ) {}

  async check(account: string, address: string): Promise<void> {
    const [a, b] = await Promise.all([this.store.get(`acct:${account}`), this.store.get(`addr:${address}`)]).catch(storeDown);
    if (a.count >= this.options.perAccount) throw limited(a.ttl);
    if (b.count >= this.options.perAddress) throw limited(b.ttl);
  }

  async failed(account: string, address: string): Promise<void> {
    await Promise.all([this.store.incr(`acct:${account}`, this.options.windowSeconds), this.store.incr(`addr:${address}`, this.options.windowSeconds)]).catch(storeDown);
  }

  async succeeded(account: string): Promise<void> {
    await this.store.reset(`acct:${account}`).catch(storeDown);
  }
}

/** Without its counters the throttle cannot tell, so logins wait rather than go unchecked. */
function storeDown(): never {
  throw unavailable('login is unavailable for a moment; try again');
}

function limited(ttl: number): AppError {
  return new AppError('rate_limited', 'too many failed logins; try again later', undefined, Math.max(1, ttl));
}

/** The account a login names, the same whatever case it was typed in. */
export function accountKey(body: { username?: string | undefined; phone?: string | undefined; email?: string | undefined }): string {
  if (body.username !== undefined) return `u:${body.username.toLowerCase()}`;
  if (body.phone !== undefined) return `p:${body.phone}`;
  return `e:${(body.email ?? '').toLowerCase()}`;
}
