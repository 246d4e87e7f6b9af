import type { Db, Queryable } from '@im/db';
import type { ConversationType, MemberRole } from '@im/protocol';

export interface ConversationRow {
  conversation_id: string;
  type: ConversationType;
  group_id: string | null;
  created_at: number;
  /** Group conversations: the group's name and whether it was dissolved. */
  group_name: string | null;
  dissolved_at: number | null;
}

export interface MemberRow {
  user_id: string;
  role: MemberRole;
  joined_at: number;
  join_seq: number;
}

export interface UserConversationRow extends ConversationRow {
  join_seq: number;
  pinned: boolean;
  muted: boolean;
  peer_user_id: string | null;
  peer_nickname: string | null;
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

export class ConversationsRepository {
  constructor(private readonly db: Db) {}

  async findSingle(a: string, b: string, tx?: Queryable): Promise<string | undefined> {
    const row = await this.db.one<{ conversation_id: string }>('SELECT conversation_id FROM conversations WHERE pair_key = $1', [pairKey(a, b)], tx);
    return row?.conversation_id;
  }

  /** The pair's single conversation, created with both members if it does not exist yet. */
  async ensureSingle(newId: string, a: string, b: string, now: number, tx: Queryable): Promise<string> {
    const created = await this.db.one<{ conversation_id: string }>(
      `INSERT INTO conversations (conversation_id, type, pair_key, created_at) VALUES ($1, 'single', $2, $3)
       ON CONFLICT (pair_key) DO NOTHING RETURNING conversation_id`,
      [newId, pairKey(a, b), now],
      tx,
    );
    if (!created) return (await this.findSingle(a, b, tx))!;
    await this.db.query(
      `INSERT INTO conversation_members (conversation_id, user_id, role, joined_at) VALUES ($1, $2, 'member', $4), ($1, $3, 'member', $4)`,
      [newId, a, b, now],
      tx,
    );
    return newId;
  }

  async find(conversationId: string): Promise<ConversationRow | undefined> {
    return this.db.one<ConversationRow>(
      `SELECT c.conversation_id, c.type, c.group_id, c.created_at, g.name AS group_name, g.dissolved_at
         FROM conversations c LEFT JOIN groups g ON g.group_id = c.group_id
        WHERE c.conversation_id = $1`,
      [conversationId],
    );
  }

  async members(conversationId: string): Promise<MemberRow[]> {
    return this.db.rows<MemberRow>(
      'SELECT user_id, role, joined_at, join_seq FROM conversation_members WHERE conversation_id = $1 ORDER BY joined_at, user_id',
      [conversationId],
    );
  }

  async member(conversationId: string, userId: string): Promise<MemberRow | undefined> {
    return this.db.one<MemberRow>(
      'SELECT user_id, role, joined_at, join_seq FROM conversation_members WHERE conversation_id = $1 AND user_id = $2',
      [conversationId, userId],
    );
  }

  /**
   * A user's conversations with the peer of single ones, by conversation_id after `after`:
   * one index range of conversation_members (user_id, conversation_id) per page.
   */
  async listForUser(userId: string, after: string | undefined, limit: number): Promise<UserConversationRow[]> {
    return this.db.rows<UserConversationRow>(
      `SELECT c.conversation_id, c.type, c.group_id, c.created_at, m.join_seq, m.pinned, m.muted,
              p.user_id AS peer_user_id, pu.nickname AS peer_nickname, g.name AS group_name, g.dissolved_at
         FROM conversation_members m
         JOIN conversations c ON c.conversation_id = m.conversation_id
         LEFT JOIN groups g ON g.group_id = c.group_id
         LEFT JOIN conversation_members p ON c.type = 'single' AND p.conversation_id = c.conversation_id AND p.user_id <> m.user_id
         LEFT JOIN users pu ON pu.user_id = p.user_id
        WHERE m.user_id = $1 AND ($2::text IS NULL OR m.conversation_id > $2)
        ORDER BY m.conversation_id
        LIMIT $3`,
      [userId, after ?? null, limit],
    );
  }

  /** The conversations a user is a member of now, with their join points. */
  async readableForUser(userId: string): Promise<Array<{ conversation_id: string; join_seq: number }>> {
    return this.db.rows('SELECT conversation_id, join_seq FROM conversation_members WHERE user_id = $1', [userId]);
  }

  /** Changes a member's preferences (those given); undefined when they are not a member. */
  async setPrefs(conversationId: string, userId: string, prefs: { pinned?: boolean | undefined; muted?: boolean | undefined }): Promise<{ pinned: boolean; muted: boolean } | undefined> {
    return this.db.one<{ pinned: boolean; muted: boolean }>(
      `UPDATE conversation_members SET pinned = COALESCE($3, pinned), muted = COALESCE($4, muted)
        WHERE conversation_id = $1 AND user_id = $2 RETURNING pinned, muted`,
      [conversationId, userId, prefs.pinned ?? null, prefs.muted ?? null],
    );
  }

  async prefsOf(conversationId: string, userId: string, tx?: Queryable): Promise<{ pinned: boolean; muted: boolean } | undefined> {
    return this.db.one('SELECT pinned, muted FROM conversation_members WHERE conversation_id = $1 AND user_id = $2', [conversationId, userId], tx);
  }
}
