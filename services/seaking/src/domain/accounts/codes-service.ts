import crypto from 'node:crypto';
import { isUniqueViolation, type Db } from '@im/db';
import { AppError, unauthorized, type Session } from '@im/protocol';
import { newId } from '../../ids.js';
import type { Mailer } from '../../mail/mailer.js';
import type { LoginCodesRepository } from './codes-repository.js';
import type { AccountsService } from './service.js';
import type { UserRow, UsersRepository } from './users-repository.js';

export interface LoginCodesOptions {
  ttlMs: number;
  intervalMs: number;
  maxAttempts: number;
  /** Key of the HMAC that codes are stored as. */
  secret: Buffer;
}

/**
 * Passwordless login by email: a 6-digit code, valid ten minutes, single use, a few
 * attempts. Codes are stored only as an HMAC. An unknown address gets an account.
 */
export class LoginCodesService {
  constructor(
    private readonly db: Db,
    private readonly codes: LoginCodesRepository,
    private readonly users: UsersRepository,
    private readonly accounts: AccountsService,
    private readonly mailer: Mailer,
    private readonly options: LoginCodesOptions,
  ) {}

  private hash(email: string, code: string): Buffer {
    return crypto.createHmac('sha256', this.options.secret).update(`${email}\n${code}`).digest();
  }

  async request(emailInput: string): Promise<Record<string, never>> {
    const email = emailInput.toLowerCase();
    const code = crypto.randomInt(0, 1_000_000).toString().padStart(6, '0');
    const now = Date.now();
    await this.db.transaction(async (tx) => {
      const current = await this.codes.find(email, tx);
      if (current && now - current.sent_at < this.options.intervalMs) {
        const wait = Math.ceil((this.options.intervalMs - (now - current.sent_at)) / 1000);
        throw new AppError('rate_limited', 'a code was sent to this address recently; wait before asking again', 'email', wait);
      }
      await this.codes.replace({ email, code_hash: this.hash(email, code), sent_at: now, expires_at: now + this.options.ttlMs }, tx);
    });
    const minutes = Math.round(this.options.ttlMs / 60000);
    await this.mailer.send({ to: email, subject: `Your login code: ${code}`, text: `Your login code is ${code}. It is valid for ${minutes} minutes and works once.` });
    return {};
  }

  async login(emailInput: string, code: string, deviceId: string | undefined, platform: string | undefined): Promise<Session & { revoked_sessions: string[] }> {
    const email = emailInput.toLowerCase();
    const now = Date.now();
    const outcome = await this.db.transaction(async (tx) => {
      const row = await this.codes.find(email, tx);
      if (!row || row.used_at !== null || row.expires_at <= now) return 'invalid' as const;
      if (row.attempts >= this.options.maxAttempts) return 'exhausted' as const;
      if (!crypto.timingSafeEqual(row.code_hash, this.hash(email, code))) {
        await this.codes.countAttempt(email, tx);
        return 'invalid' as const;
      }
      await this.codes.markUsed(email, now, tx);
      return 'ok' as const;
    });
    if (outcome === 'exhausted') throw new AppError('rate_limited', 'too many wrong codes; ask for a new one', 'code', 60);
    if (outcome !== 'ok') throw unauthorized('invalid or expired code');
    // The code proves the address: an account that named it without proving it is taken
    // over by whoever holds the mailbox (contract 1).
    const user = (await this.users.findByLogin({ email })) ?? (await this.register(email));
    return this.accounts.openSession(user, deviceId, platform, { proveEmail: true });
  }

  /** A new account for an address: a username derived from it, made unique. */
  private async register(email: string): Promise<UserRow> {
    const base = (email.split('@')[0] ?? 'user').replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 24).padEnd(3, '_');
    for (let attempt = 0; ; attempt++) {
      const username = attempt === 0 ? base : `${base}${crypto.randomInt(1000, 100000)}`;
      const row: UserRow = { user_id: newId('u'), username, nickname: username, avatar: '', phone: null, email, password_hash: null, created_at: Date.now() };
      try {
        await this.users.insert(row, undefined, Date.now());
        return row;
      } catch (err) {
        if (isUniqueViolation(err, 'users_email_key')) {
          // Registered by a concurrent login with the same code address.
          const existing = await this.users.findByLogin({ email });
          if (existing) return existing;
        }
        if (!isUniqueViolation(err, 'users_username_key') || attempt > 20) throw err;
      }
    }
  }
}
