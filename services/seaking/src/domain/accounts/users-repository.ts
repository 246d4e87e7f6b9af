import type { Db, Queryable } from '@im/db';
import type { User } from '@im/protocol';

export interface UserRow {
  user_id: string;
  username: string;
  nickname: string;
  avatar: string;
  phone: string | null;
  email: string | null;
  password_hash: string | null;
  created_at: number;
}

export type LoginKey = { username: string } | { phone: string } | { email: string };

const COLUMNS = 'user_id, username, nickname, avatar, phone, email, password_hash, created_at';

export class UsersRepository {
  constructor(private readonly db: Db) {}

  /** Inserts an account; `emailVerifiedAt` when the address was proven at sign-up (by a code). */
  async insert(row: UserRow, tx?: Queryable, emailVerifiedAt: number | null = null): Promise<void> {
    await this.db.query(
      `INSERT INTO users (${COLUMNS}, email_verified_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [row.user_id, row.username, row.nickname, row.avatar, row.phone, row.email, row.password_hash, row.created_at, emailVerifiedAt],
      tx,
    );
  }

  async findByLogin(key: LoginKey): Promise<UserRow | undefined> {
    if ('username' in key) return this.db.one<UserRow>(`SELECT ${COLUMNS} FROM users WHERE lower(username) = lower($1)`, [key.username]);
    if ('phone' in key) return this.db.one<UserRow>(`SELECT ${COLUMNS} FROM users WHERE phone = $1`, [key.phone]);
    return this.db.one<UserRow>(`SELECT ${COLUMNS} FROM users WHERE lower(email) = lower($1)`, [key.email]);
  }

  async findById(userId: string, tx?: Queryable): Promise<UserRow | undefined> {
    return this.db.one<UserRow>(`SELECT ${COLUMNS} FROM users WHERE user_id = $1`, [userId], tx);
  }

  async findMany(userIds: string[]): Promise<UserRow[]> {
    if (userIds.length === 0) return [];
    return this.db.rows<UserRow>(`SELECT ${COLUMNS} FROM users WHERE user_id = ANY($1::text[])`, [userIds]);
  }

  async updateProfile(userId: string, changes: { nickname?: string | undefined; avatar?: string | undefined }): Promise<UserRow | undefined> {
    return this.db.one<UserRow>(
      `UPDATE users SET nickname = COALESCE($2, nickname), avatar = COALESCE($3, avatar) WHERE user_id = $1 RETURNING ${COLUMNS}`,
      [userId, changes.nickname ?? null, changes.avatar ?? null],
    );
  }

  /**
   * Prefix match on username or nickname (ignoring case), or exact phone or email. Users who
   * blocked the searcher are left out.
   */
  async search(query: string, limit: number, viewerId: string): Promise<UserRow[]> {
    const prefix = query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`) + '%';
    return this.db.rows<UserRow>(
      `SELECT ${COLUMNS} FROM users u
        WHERE (lower(username) LIKE $1 OR lower(nickname) LIKE $1 OR phone = $2 OR lower(email) = lower($2))
          AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.user_id = u.user_id AND b.blocked_id = $4)
        ORDER BY (lower(username) = lower($2)) DESC, username
        LIMIT $3`,
      [prefix, query, limit, viewerId],
    );
  }

  /**
   * Marks the account's email proven, if it was not: then the password that whoever
   * registered the address typed stops working. True when this call proved it.
   */
  async proveEmail(userId: string, now: number, tx: Queryable): Promise<boolean> {
    const r = await this.db.query(
      'UPDATE users SET email_verified_at = $2, password_hash = NULL WHERE user_id = $1 AND email_verified_at IS NULL',
      [userId, now],
      tx,
    );
    return (r.rowCount ?? 0) > 0;
  }

  async exists(userId: string, tx?: Queryable): Promise<boolean> {
    return (await this.db.one('SELECT 1 FROM users WHERE user_id = $1', [userId], tx)) !== undefined;
  }
}

/** The public record; phone and email only for the user themselves. */
export function toUser(row: UserRow, own: boolean): User {
  const user: User = {
    user_id: row.user_id,
    username: row.username,
    nickname: row.nickname,
    avatar: row.avatar,
    created_at: row.created_at,
  };
  if (own) {
    user.phone = row.phone;
    user.email = row.email;
  }
  return user;
}
