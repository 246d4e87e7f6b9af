import type { Db, Queryable } from '@im/db';

export interface SessionRow {
  session_id: string;
  user_id: string;
  device_id: string;
  platform: string;
  refresh_hash: Buffer;
  created_at: number;
  refreshed_at: number;
  expires_at: number;
  revoked_at: number | null;
}

const COLUMNS = 'session_id, user_id, device_id, platform, refresh_hash, created_at, refreshed_at, expires_at, revoked_at';

export class SessionsRepository {
  constructor(private readonly db: Db) {}

  async insert(row: SessionRow, tx?: Queryable): Promise<void> {
    await this.db.query(
      `INSERT INTO sessions (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [row.session_id, row.user_id, row.device_id, row.platform, row.refresh_hash, row.created_at, row.refreshed_at, row.expires_at, row.revoked_at],
      tx,
    );
  }

  /** Revokes the live sessions of one device (a new login there replaces them); returns their ids. */
  async revokeDevice(userId: string, deviceId: string, now: number, tx?: Queryable): Promise<string[]> {
    const rows = await this.db.rows<{ session_id: string }>(
      'UPDATE sessions SET revoked_at = $3 WHERE user_id = $1 AND device_id = $2 AND revoked_at IS NULL RETURNING session_id',
      [userId, deviceId, now],
      tx,
    );
    return rows.map((r) => r.session_id);
  }

  /** Revokes every live session of a user; returns their ids. */
  async revokeAllOfUser(userId: string, now: number, tx: Queryable): Promise<string[]> {
    const rows = await this.db.rows<{ session_id: string }>(
      'UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL RETURNING session_id',
      [userId, now],
      tx,
    );
    return rows.map((r) => r.session_id);
  }

  async liveAmong(sessionIds: string[]): Promise<string[]> {
    if (sessionIds.length === 0) return [];
    const rows = await this.db.rows<{ session_id: string }>('SELECT session_id FROM sessions WHERE session_id = ANY($1::text[]) AND revoked_at IS NULL', [sessionIds]);
    return rows.map((r) => r.session_id);
  }

  /**
   * Deletes up to `batch` sessions that ended (revoked or expired) before `before`, with
   * their spent refresh tokens; returns how many sessions went.
   */
  async pruneEnded(before: number, batch: number): Promise<number> {
    const rows = await this.db.rows<{ n: number }>(
      `WITH doomed AS (
         SELECT session_id FROM sessions WHERE expires_at < $1
         UNION
         SELECT session_id FROM sessions WHERE revoked_at < $1
         LIMIT $2),
       spent AS (DELETE FROM spent_refresh_tokens t USING doomed d WHERE t.session_id = d.session_id),
       gone AS (DELETE FROM sessions s USING doomed d WHERE s.session_id = d.session_id RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [before, batch],
    );
    return rows[0]?.n ?? 0;
  }

  /** Deletes up to `batch` refresh tokens spent before `before`. */
  async pruneSpent(before: number, batch: number): Promise<number> {
    const r = await this.db.query(
      'DELETE FROM spent_refresh_tokens WHERE refresh_hash IN (SELECT refresh_hash FROM spent_refresh_tokens WHERE spent_at < $1 LIMIT $2)',
      [before, batch],
    );
    return r.rowCount ?? 0;
  }

  async findById(sessionId: string): Promise<SessionRow | undefined> {
    return this.db.one<SessionRow>(`SELECT ${COLUMNS} FROM sessions WHERE session_id = $1`, [sessionId]);
  }

  async findByRefreshHash(hash: Buffer, tx: Queryable): Promise<SessionRow | undefined> {
    return this.db.one<SessionRow>(`SELECT ${COLUMNS} FROM sessions WHERE refresh_hash = $1 FOR UPDATE`, [hash], tx);
  }

  /** The session a spent refresh token belonged to, if it is one. */
  async findSpent(hash: Buffer, tx: Queryable): Promise<string | undefined> {
    const row = await this.db.one<{ session_id: string }>('SELECT session_id FROM spent_refresh_tokens WHERE refresh_hash = $1', [hash], tx);
    return row?.session_id;
  }

  async rotate(sessionId: string, oldHash: Buffer, newHash: Buffer, now: number, expiresAt: number, tx: Queryable): Promise<void> {
    await this.db.query('INSERT INTO spent_refresh_tokens (refresh_hash, session_id, spent_at) VALUES ($1, $2, $3)', [oldHash, sessionId, now], tx);
    await this.db.query('UPDATE sessions SET refresh_hash = $2, refreshed_at = $3, expires_at = $4 WHERE session_id = $1', [sessionId, newHash, now, expiresAt], tx);
  }

  async revoke(sessionId: string, now: number, tx?: Queryable): Promise<SessionRow | undefined> {
    return this.db.one<SessionRow>(
      `UPDATE sessions SET revoked_at = COALESCE(revoked_at, $2) WHERE session_id = $1 RETURNING ${COLUMNS}`,
      [sessionId, now],
      tx,
    );
  }
}
