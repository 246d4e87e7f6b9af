import type { Db, Queryable } from '@im/db';
import type { FriendRequest, FriendRequestStatus } from '@im/protocol';

export interface FriendRow {
  user_id: string;
  username: string;
  nickname: string;
  avatar: string;
  remark: string;
  since: number;
}

const REQUEST_COLUMNS = 'request_id, from_user_id, to_user_id, message, status, created_at';

/** Friendships, friend requests and blocks. */
export class FriendsRepository {
  constructor(private readonly db: Db) {}

  /** Serialises every change between two users, whatever the order they are named in. */
  async lockPair(a: string, b: string, tx: Queryable): Promise<void> {
    const key = a < b ? `${a}|${b}` : `${b}|${a}`;
    await this.db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key], tx);
  }

  async areFriends(a: string, b: string, tx?: Queryable): Promise<boolean> {
    return (await this.db.one('SELECT 1 FROM friendships WHERE user_id = $1 AND friend_id = $2', [a, b], tx)) !== undefined;
  }

  async blockedEitherWay(a: string, b: string, tx?: Queryable): Promise<boolean> {
    const row = await this.db.one(
      'SELECT 1 FROM blocks WHERE (user_id = $1 AND blocked_id = $2) OR (user_id = $2 AND blocked_id = $1)',
      [a, b],
      tx,
    );
    return row !== undefined;
  }

  async findPending(from: string, to: string, tx: Queryable): Promise<FriendRequest | undefined> {
    return this.db.one<FriendRequest>(
      `SELECT ${REQUEST_COLUMNS} FROM friend_requests WHERE from_user_id = $1 AND to_user_id = $2 AND status = 'pending'`,
      [from, to],
      tx,
    );
  }

  async findRequest(requestId: string, tx: Queryable): Promise<FriendRequest | undefined> {
    return this.db.one<FriendRequest>(`SELECT ${REQUEST_COLUMNS} FROM friend_requests WHERE request_id = $1`, [requestId], tx);
  }

  async insertRequest(r: FriendRequest, tx: Queryable): Promise<void> {
    await this.db.query(
      `INSERT INTO friend_requests (${REQUEST_COLUMNS}, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)`,
      [r.request_id, r.from_user_id, r.to_user_id, r.message, r.status, r.created_at],
      tx,
    );
  }

  async setRequestStatus(requestId: string, status: FriendRequestStatus, now: number, tx: Queryable): Promise<void> {
    await this.db.query('UPDATE friend_requests SET status = $2, updated_at = $3 WHERE request_id = $1', [requestId, status, now], tx);
  }

  async listRequests(userId: string, direction: 'incoming' | 'outgoing'): Promise<FriendRequest[]> {
    const column = direction === 'incoming' ? 'to_user_id' : 'from_user_id';
    return this.db.rows<FriendRequest>(
      `SELECT ${REQUEST_COLUMNS} FROM friend_requests WHERE ${column} = $1 AND status = 'pending' ORDER BY created_at DESC`,
      [userId],
    );
  }

  async addFriendship(a: string, b: string, now: number, tx: Queryable): Promise<void> {
    await this.db.query(
      'INSERT INTO friendships (user_id, friend_id, since) VALUES ($1, $2, $3), ($2, $1, $3) ON CONFLICT DO NOTHING',
      [a, b, now],
      tx,
    );
  }

  /** Ends a friendship from both sides; false when there was none. */
  async removeFriendship(a: string, b: string, tx: Queryable): Promise<boolean> {
    const result = await this.db.query(
      'DELETE FROM friendships WHERE (user_id = $1 AND friend_id = $2) OR (user_id = $2 AND friend_id = $1)',
      [a, b],
      tx,
    );
    return (result.rowCount ?? 0) > 0;
  }

  async setRemark(userId: string, friendId: string, remark: string): Promise<boolean> {
    const result = await this.db.query('UPDATE friendships SET remark = $3 WHERE user_id = $1 AND friend_id = $2', [userId, friendId, remark]);
    return (result.rowCount ?? 0) > 0;
  }

  async block(userId: string, blockedId: string, now: number, tx: Queryable): Promise<void> {
    await this.db.query('INSERT INTO blocks (user_id, blocked_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [userId, blockedId, now], tx);
  }

  async unblock(userId: string, blockedId: string): Promise<void> {
    await this.db.query('DELETE FROM blocks WHERE user_id = $1 AND blocked_id = $2', [userId, blockedId]);
  }

  async listBlocked(userId: string): Promise<string[]> {
    const rows = await this.db.rows<{ blocked_id: string }>('SELECT blocked_id FROM blocks WHERE user_id = $1 ORDER BY created_at', [userId]);
    return rows.map((r) => r.blocked_id);
  }

  /** Rejects the pending requests between two users, in both directions. */
  async rejectPendingBetween(a: string, b: string, now: number, tx: Queryable): Promise<void> {
    await this.db.query(
      `UPDATE friend_requests SET status = 'rejected', updated_at = $3
        WHERE status = 'pending' AND ((from_user_id = $1 AND to_user_id = $2) OR (from_user_id = $2 AND to_user_id = $1))`,
      [a, b, now],
      tx,
    );
  }

  /**
   * Those of `userIds` who are the user's friends or share a group with them, in order,
   * leaving out anyone who has blocked the user: a block hides one's presence too.
   */
  async visibleAmong(userId: string, userIds: string[]): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `SELECT t.id FROM unnest($2::text[]) WITH ORDINALITY AS t(id, n)
        WHERE (EXISTS (SELECT 1 FROM friendships f WHERE f.user_id = $1 AND f.friend_id = t.id)
            OR EXISTS (SELECT 1 FROM conversation_members a
                         JOIN conversation_members b ON b.conversation_id = a.conversation_id
                         JOIN conversations c ON c.conversation_id = a.conversation_id AND c.type = 'group'
                        WHERE a.user_id = $1 AND b.user_id = t.id))
          AND NOT EXISTS (SELECT 1 FROM blocks k WHERE k.user_id = t.id AND k.blocked_id = $1)
        ORDER BY t.n`,
      [userId, userIds],
    );
    return rows.map((r) => r.id);
  }

  /** The friendships of several users, one index range each. */
  async friendIdsOf(userIds: string[]): Promise<Array<{ user_id: string; friend_id: string }>> {
    if (userIds.length === 0) return [];
    return this.db.rows(
      `SELECT q.user_id, f.friend_id FROM unnest($1::text[]) AS q(user_id)
        CROSS JOIN LATERAL (SELECT friend_id FROM friendships f WHERE f.user_id = q.user_id) f`,
      [userIds],
    );
  }

  async listFriends(userId: string): Promise<FriendRow[]> {
    return this.db.rows<FriendRow>(
      `SELECT u.user_id, u.username, u.nickname, u.avatar, f.remark, f.since
         FROM friendships f JOIN users u ON u.user_id = f.friend_id
        WHERE f.user_id = $1
        ORDER BY f.since`,
      [userId],
    );
  }
}
