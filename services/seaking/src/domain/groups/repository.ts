import type { Db, Queryable } from '@im/db';
import type { MemberRole } from '@im/protocol';

export interface GroupRow {
  group_id: string;
  name: string;
  owner_id: string;
  conversation_id: string;
  announcement: string;
  created_at: number;
  dissolved_at: number | null;
  member_count: number;
}

const SELECT = `SELECT g.group_id, g.name, g.owner_id, g.conversation_id, g.announcement, g.created_at, g.dissolved_at,
                       (SELECT count(*)::int FROM conversation_members m WHERE m.conversation_id = g.conversation_id) AS member_count
                  FROM groups g`;

export class GroupsRepository {
  constructor(private readonly db: Db) {}

  async insert(g: Omit<GroupRow, 'member_count' | 'dissolved_at'>, tx: Queryable): Promise<void> {
    await this.db.query(`INSERT INTO conversations (conversation_id, type, group_id, created_at) VALUES ($1, 'group', $2, $3)`, [g.conversation_id, g.group_id, g.created_at], tx);
    await this.db.query(
      'INSERT INTO groups (group_id, name, owner_id, conversation_id, announcement, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [g.group_id, g.name, g.owner_id, g.conversation_id, g.announcement, g.created_at],
      tx,
    );
  }

  /** The group, locked for the rest of the transaction so membership changes serialise. */
  async lock(groupId: string, tx: Queryable): Promise<GroupRow | undefined> {
    await this.db.query('SELECT 1 FROM groups WHERE group_id = $1 FOR UPDATE', [groupId], tx);
    return this.find(groupId, tx);
  }

  async find(groupId: string, tx?: Queryable): Promise<GroupRow | undefined> {
    return this.db.one<GroupRow>(`${SELECT} WHERE g.group_id = $1`, [groupId], tx);
  }

  async findByConversation(conversationId: string): Promise<GroupRow | undefined> {
    return this.db.one<GroupRow>(`${SELECT} WHERE g.conversation_id = $1`, [conversationId]);
  }

  async listForUser(userId: string): Promise<GroupRow[]> {
    return this.db.rows<GroupRow>(
      `${SELECT} JOIN conversation_members me ON me.conversation_id = g.conversation_id AND me.user_id = $1
        WHERE g.dissolved_at IS NULL ORDER BY g.created_at`,
      [userId],
    );
  }

  async update(groupId: string, changes: { name?: string | undefined; announcement?: string | undefined }, tx: Queryable): Promise<void> {
    await this.db.query(
      'UPDATE groups SET name = COALESCE($2, name), announcement = COALESCE($3, announcement) WHERE group_id = $1',
      [groupId, changes.name ?? null, changes.announcement ?? null],
      tx,
    );
  }

  async setOwner(groupId: string, ownerId: string, tx: Queryable): Promise<void> {
    await this.db.query('UPDATE groups SET owner_id = $2 WHERE group_id = $1', [groupId, ownerId], tx);
  }

  async dissolve(groupId: string, now: number, tx: Queryable): Promise<void> {
    await this.db.query('UPDATE groups SET dissolved_at = $2 WHERE group_id = $1', [groupId, now], tx);
  }

  async addMembers(conversationId: string, members: Array<{ user_id: string; role: MemberRole }>, joinSeq: number, now: number, tx: Queryable): Promise<string[]> {
    if (members.length === 0) return [];
    const rows = await this.db.rows<{ user_id: string }>(
      `INSERT INTO conversation_members (conversation_id, user_id, role, joined_at, join_seq)
       SELECT $1, u, r, $4, $5 FROM unnest($2::text[], $3::text[]) AS t(u, r)
       ON CONFLICT DO NOTHING RETURNING user_id`,
      [conversationId, members.map((m) => m.user_id), members.map((m) => m.role), now, joinSeq],
      tx,
    );
    return rows.map((r) => r.user_id);
  }

  async removeMember(conversationId: string, userId: string, tx: Queryable): Promise<boolean> {
    const r = await this.db.query('DELETE FROM conversation_members WHERE conversation_id = $1 AND user_id = $2', [conversationId, userId], tx);
    return (r.rowCount ?? 0) > 0;
  }

  async setRole(conversationId: string, userId: string, role: MemberRole, tx: Queryable): Promise<void> {
    await this.db.query('UPDATE conversation_members SET role = $3 WHERE conversation_id = $1 AND user_id = $2', [conversationId, userId, role], tx);
  }

  async roleOf(conversationId: string, userId: string, tx: Queryable): Promise<MemberRole | undefined> {
    const row = await this.db.one<{ role: MemberRole }>('SELECT role FROM conversation_members WHERE conversation_id = $1 AND user_id = $2', [conversationId, userId], tx);
    return row?.role;
  }

  async listMembers(conversationId: string): Promise<Array<{ user_id: string; role: MemberRole; joined_at: number }>> {
    return this.db.rows(
      'SELECT user_id, role, joined_at FROM conversation_members WHERE conversation_id = $1 ORDER BY joined_at, user_id',
      [conversationId],
    );
  }

  async memberIds(conversationId: string, tx?: Queryable): Promise<string[]> {
    const rows = await this.db.rows<{ user_id: string }>('SELECT user_id FROM conversation_members WHERE conversation_id = $1', [conversationId], tx);
    return rows.map((r) => r.user_id);
  }

  /** Those of `userIds` who have blocked `userId`. */
  async blockersOf(userId: string, userIds: string[], tx: Queryable): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const rows = await this.db.rows<{ user_id: string }>('SELECT user_id FROM blocks WHERE blocked_id = $1 AND user_id = ANY($2::text[])', [userId, userIds], tx);
    return new Set(rows.map((r) => r.user_id));
  }

  async existingUsers(userIds: string[], tx: Queryable): Promise<Set<string>> {
    const rows = await this.db.rows<{ user_id: string }>('SELECT user_id FROM users WHERE user_id = ANY($1::text[])', [userIds], tx);
    return new Set(rows.map((r) => r.user_id));
  }
}
