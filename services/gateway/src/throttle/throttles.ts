import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Cluster, Redis } from 'ioredis';
import { AppError, unavailable } from '@im/protocol';

/**
 * One budget of attempts per key (an account, a client address), taken atomically BEFORE
 * the work it guards: attempts still under way count, so no number of concurrent requests
 * gets more than `points` through in a window. Backed by Redis for a cluster (every gateway
 * sees the same counts; a standalone Redis or a Redis Cluster, each count one key) or by
 * memory for a lone gateway.
 */
export class Budget {
  constructor(
    private readonly limiter: RateLimiterAbstract | undefined,
    private readonly refusal: string,
  ) {}

  /** Takes one attempt; `rate_limited` with Retry-After once the budget is spent. */
  async take(key: string): Promise<void> {
    if (!this.limiter) return;
    try {
      await this.limiter.consume(key);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw new AppError('rate_limited', this.refusal, undefined, Math.max(1, Math.ceil(err.msBeforeNext / 1000)));
      // Without its counters the budget cannot tell: refuse for now rather than go unchecked.
      throw unavailable('this is unavailable for a moment; try again');
    }
  }

  /** Gives back an attempt that turned out not to count (it did not fail). */
  async refund(key: string): Promise<void> {
    await this.limiter?.reward(key).catch(() => undefined);
  }

  /** Forgets the key's attempts (a successful login clears the account's failures). */
  async reset(key: string): Promise<void> {
    await this.limiter?.delete(key).catch(() => undefined);
  }
}

export interface ThrottleSettings {
  loginPerAccount: number;
  loginPerAddress: number;
  loginWindowSeconds: number;
  /** Registrations one address may attempt an hour; 0 turns the limit off. */
  registerPerAddress: number;
  /** Login codes one address may ask for an hour; 0 turns the limit off. */
  codesPerAddress: number;
}

/** The HTTP API's abuse limits (contract 1). */
export interface Throttles {
  loginAccount: Budget;
  loginAddress: Budget;
  register: Budget;
  codes: Budget;
}

export function createThrottles(settings: ThrottleSettings, store: { redis?: Redis | Cluster; prefix: string }): Throttles {
  const make = (name: string, points: number, duration: number, refusal: string): Budget => {
    if (points === 0) return new Budget(undefined, refusal);
    const options = { keyPrefix: `${store.prefix}${name}`, points, duration };
    return new Budget(store.redis ? new RateLimiterRedis({ ...options, storeClient: store.redis }) : new RateLimiterMemory(options), refusal);
  };
  return {
    loginAccount: make('login-account', settings.loginPerAccount, settings.loginWindowSeconds, 'too many failed logins for this account; try again later'),
    loginAddress: make('login-address', settings.loginPerAddress, settings.loginWindowSeconds, 'too many failed logins from this address; try again later'),
    register: make('register-address', settings.registerPerAddress, 3600, 'too many registrations from this address; try again later'),
    codes: make('codes-address', settings.codesPerAddress, 3600, 'too many login codes asked from this address; try again later'),
  };
}

/** The account a login names, the same whatever case it was typed in. */
export function identityKey(body: { username?: string | undefined; phone?: string | undefined; email?: string | undefined }): string {
  if (body.username !== undefined) return `u:${body.username.toLowerCase()}`;
  if (body.phone !== undefined) return `p:${body.phone}`;
  return `e:${(body.email ?? '').toLowerCase()}`;
}
