import type { Db, Queryable } from '@im/db';

export interface LoginCodeRow {
  email: string;
  code_hash: Buffer;
  sent_at: number;
  expires_at: number;
  attempts: number;
  used_at: number | null;
}

export class LoginCodesRepository {
  constructor(private readonly db: Db) {}

  async find(email: string, tx: Queryable): Promise<LoginCodeRow | undefined> {
    return this.db.one<LoginCodeRow>('SELECT email, code_hash, sent_at, expires_at, attempts, used_at FROM login_codes WHERE email = $1 FOR UPDATE', [email], tx);
  }

  async replace(row: Omit<LoginCodeRow, 'attempts' | 'used_at'>, tx: Queryable): Promise<void> {
    await this.db.query(
      `INSERT INTO login_codes (email, code_hash, sent_at, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (email) DO UPDATE SET code_hash = EXCLUDED.code_hash, sent_at = EXCLUDED.sent_at,
         expires_at = EXCLUDED.expires_at, attempts = 0, used_at = NULL`,
      [row.email, row.code_hash, row.sent_at, row.expires_at],
      tx,
    );
  }

  async countAttempt(email: string, tx: Queryable): Promise<void> {
    await this.db.query('UPDATE login_codes SET attempts = attempts + 1 WHERE email = $1', [email], tx);
  }

  async markUsed(email: string, now: number, tx: Queryable): Promise<void> {
    await this.db.query('UPDATE login_codes SET used_at = $2 WHERE email = $1', [email, now], tx);
  }

  /** Deletes up to `batch` codes that expired before `before`. */
  async pruneExpired(before: number, batch: number): Promise<number> {
    const r = await this.db.query('DELETE FROM login_codes WHERE email IN (SELECT email FROM login_codes WHERE expires_at < $1 LIMIT $2)', [before, batch]);
    return r.rowCount ?? 0;
  }
}
