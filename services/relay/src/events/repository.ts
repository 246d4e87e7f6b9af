import type { Db, Prepared, Queryable } from '@im/db';
import { Kind, UNREAD_KINDS, type ImEvent, type Tag } from '@im/protocol';
import { referencedFile } from '../search/text.js';

export interface EventRow {
  conversation_id: string;
  seq: number;
  id: string;
  sender_id: string;
  kind: number;
  content: string;
  tags: Tag[];
  cid: string;
  created_at: number;
  edited_at: number | null;
  revoked_at: number | null;
  current_content: string | null;
  /** Aggregated reactions, filled in by readers that ask for them. */
  reactions?: Record<string, string[]>;
}

export type NewEvent = Omit<EventRow, 'edited_at' | 'revoked_at' | 'current_content' | 'reactions'>;

export interface StateRow {
  conversation_id: string;
  max_seq: number;
  read_seq: number;
  unread: number;
  last_event: EventRow | null;
}

/** Kinds that are messages: they count as unread and show as a conversation's last event. */
const MESSAGE_KINDS = UNREAD_KINDS;

const COLUMNS = 'conversation_id, seq, id, sender_id, kind, content, tags, cid, created_at, edited_at, revoked_at, current_content';

/**
 * Leaves out events the viewer (the SQL parameter named) hid; a null viewer hides nothing.
 * Used on `events e`; the lookup is one primary-key probe per row, in the same conversation.
 */
const NOT_HIDDEN = (viewer: string) =>
  `AND (${viewer}::text IS NULL OR NOT EXISTS (SELECT 1 FROM hidden_events h WHERE h.conversation_id = e.conversation_id AND h.user_id = ${viewer}::text AND h.seq = e.seq))`;



/** Per event: the uploaded file its `url` tag names, if any. */
function fileColumn(events: Array<{ kind: number; tags: Tag[] }>): Array<string | null> {
  return events.map((e) => referencedFile(e.kind, e.tags) ?? null);
}

/** An event in its current state: revoked ones blanked, edited ones with the newest text. */
export function toEvent(row: EventRow): ImEvent {
  const revoked = row.revoked_at !== null;
  const e: ImEvent = {
    id: row.id,
    conversation_id: row.conversation_id,
    seq: row.seq,
    sender_id: row.sender_id,
    kind: row.kind,
    content: revoked ? '' : (row.current_content ?? row.content),
    tags: revoked ? [] : row.tags,
    cid: row.cid,
    created_at: row.created_at,
  };
  if (row.edited_at !== null && !revoked) e.edited_at = row.edited_at;
  if (revoked) e.revoked_at = row.revoked_at!;
  if (row.reactions && Object.keys(row.reactions).length > 0 && !revoked) e.reactions = row.reactions;
  return e;
}

/** What the store statement returns per item: what an ack needs. */
export interface StoredRef {
  ord: number;
  duplicate: boolean;
  conversation_id: string;
  seq: number;
  id: string;
  created_at: number;
}

/** Queues the searchable ones (text, file) of `numbered` rows for the search indexer (a CTE body). */
const INDEX_SEARCH_DOCS = `INSERT INTO search_queue (conversation_id, seq)
         SELECT conversation_id, seq FROM numbered WHERE kind IN (${Kind.TEXT}, ${Kind.FILE})`;

/** Records which `numbered` rows name an uploaded file. */
const INDEX_FILE_REFS = `INSERT INTO file_refs (conversation_id, file_id, seq)
         SELECT conversation_id, file_id, seq FROM numbered WHERE file_id IS NOT NULL ON CONFLICT DO NOTHING`;

/**
 * The store path's statement. Written so that its plan does not depend on statistics (the
 * tables are never analysed by autovacuum here): the idempotency check is one probe of
 * event_cids' primary key per item (LATERAL), which holds what a duplicate's ack needs, so
 * the statement reads no events partition (a generic plan over partitions would set up all
 * of them on every run); the counter is one primary-key upsert per conversation. No step
 * joins two sets of the batch's size: a generic plan sizes every set of the batch at a few
 * rows and would join them by nested loops, and batches reach hundreds under load.
 */
export const STORE_PLAIN: Prepared = {
  name: 'relay_store_plain_v6',
  text: `WITH input AS (
     SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::int[], $12::text[])
       AS t(sender_id, conversation_id, kind, content, tags, cid, sender_json, conversation_json, content_json, ord, file_id)),
   dups AS (
     SELECT i.ord, k.conversation_id, k.seq, k.id, k.created_at
       FROM input i
       CROSS JOIN LATERAL (SELECT conversation_id, seq, id, created_at FROM event_cids k WHERE k.sender_id = i.sender_id AND k.cid = i.cid LIMIT 1) k),
   fresh AS (
     SELECT i.* FROM input i WHERE NOT EXISTS (SELECT 1 FROM dups d WHERE d.ord = i.ord)),
   counts AS (SELECT conversation_id, count(*)::bigint AS n FROM fresh GROUP BY conversation_id),
   reserved AS (
     INSERT INTO conversation_seqs (conversation_id, max_seq, last_event_at, last_message_seq, last_message_at)
     SELECT conversation_id, n, $11::bigint + n - 1, n, $11::bigint + n - 1 FROM counts ORDER BY conversation_id
     ON CONFLICT (conversation_id) DO UPDATE
       SET max_seq = conversation_seqs.max_seq + EXCLUDED.max_seq,
           last_event_at = GREATEST(conversation_seqs.last_event_at + EXCLUDED.max_seq, EXCLUDED.last_event_at),
           -- Every event of this path is a message: the newest of the batch is the last message.
           last_message_seq = conversation_seqs.max_seq + EXCLUDED.max_seq,
           last_message_at = GREATEST(conversation_seqs.last_event_at + EXCLUDED.max_seq, EXCLUDED.last_event_at)
     RETURNING conversation_id, max_seq, last_event_at),
   -- What each conversation reserved, as one row: a join of the batch with \`reserved\` would be
   -- planned as a nested loop (a generic plan cannot know the batch's size), quadratic in it.
   reservations AS MATERIALIZED (SELECT jsonb_object_agg(conversation_id, jsonb_build_array(max_seq, last_event_at)) AS m FROM reserved),
   ranked AS (
     SELECT f.*, row_number() OVER (PARTITION BY f.conversation_id ORDER BY f.ord) AS rn, count(*) OVER (PARTITION BY f.conversation_id) AS n FROM fresh f),
   slotted AS (
     SELECT k.*, (r.m -> k.conversation_id ->> 0)::bigint - k.n + k.rn AS seq, (r.m -> k.conversation_id ->> 1)::bigint - k.n + k.rn AS created_at
       FROM ranked k CROSS JOIN reservations r),
   numbered AS (
     SELECT s.*, encode(sha256(convert_to('[0,' || sender_json || ',' || conversation_json || ',' || created_at || ',' || kind || ',' || tags || ',' || content_json || ']', 'UTF8')), 'hex') AS id
       FROM slotted s),
   -- Runs to completion whether or not it is read: what it stores is \`numbered\`.
   inserted AS (
     INSERT INTO events (conversation_id, seq, id, sender_id, kind, content, tags, cid, created_at)
     SELECT conversation_id, seq, id, sender_id, kind, content, tags::jsonb, cid, created_at FROM numbered),
   -- Idempotency and lookups by id, in the same statement: a race on a (sender, cid) fails
   -- the whole statement on event_cids' key, and the retry answers with the first event.
   claimed AS (INSERT INTO event_cids (sender_id, cid, conversation_id, seq, id, created_at) SELECT sender_id, cid, conversation_id, seq, id, created_at FROM numbered),
   named AS (INSERT INTO event_ids (id, conversation_id, seq) SELECT id, conversation_id, seq FROM numbered),
   searchable AS (${INDEX_SEARCH_DOCS}),
   files AS (${INDEX_FILE_REFS})
   SELECT ord, false AS duplicate, conversation_id, seq, id, created_at FROM numbered
   UNION ALL
   SELECT ord, true, conversation_id, seq, id, created_at FROM dups`,
};

/**
 * The store statement for a batch of one event, the usual case at light load: the same
 * writes as STORE_PLAIN with scalar parameters, no arrays to unnest and no per-batch
 * numbering (about 100 µs less PostgreSQL and 150 µs less relay CPU per event here).
 */
export const STORE_ONE: Prepared = {
  name: 'relay_store_one_v1',
  text: `WITH dup AS (SELECT conversation_id, seq, id, created_at FROM event_cids WHERE sender_id = $1 AND cid = $6 LIMIT 1),
   reserved AS (
     INSERT INTO conversation_seqs (conversation_id, max_seq, last_event_at, last_message_seq, last_message_at)
     SELECT $2, 1, $10::bigint, 1, $10::bigint WHERE NOT EXISTS (SELECT 1 FROM dup)
     ON CONFLICT (conversation_id) DO UPDATE
       SET max_seq = conversation_seqs.max_seq + 1,
           last_event_at = GREATEST(conversation_seqs.last_event_at + 1, EXCLUDED.last_event_at),
           last_message_seq = conversation_seqs.max_seq + 1,
           last_message_at = GREATEST(conversation_seqs.last_event_at + 1, EXCLUDED.last_event_at)
     RETURNING max_seq AS seq, last_event_at AS created_at),
   numbered AS (
     SELECT $2::text AS conversation_id, seq, created_at, $3::int AS kind, $11::text AS file_id,
            encode(sha256(convert_to('[0,' || $7::text || ',' || $8::text || ',' || created_at || ',' || $3::int || ',' || $5::text || ',' || $9::text || ']', 'UTF8')), 'hex') AS id
       FROM reserved),
   inserted AS (
     INSERT INTO events (conversation_id, seq, id, sender_id, kind, content, tags, cid, created_at)
     SELECT conversation_id, seq, id, $1, kind, $4, $5::text::jsonb, $6, created_at FROM numbered),
   claimed AS (INSERT INTO event_cids (sender_id, cid, conversation_id, seq, id, created_at) SELECT $1, $6, conversation_id, seq, id, created_at FROM numbered),
   named AS (INSERT INTO event_ids (id, conversation_id, seq) SELECT id, conversation_id, seq FROM numbered),
   searchable AS (${INDEX_SEARCH_DOCS}),
   files AS (${INDEX_FILE_REFS})
   SELECT 0 AS ord, false AS duplicate, conversation_id, seq, id, created_at FROM numbered
   UNION ALL
   SELECT 0, true, conversation_id, seq, id, created_at FROM dup`,
};

/** Set-based statements for the store path: each costs one round trip whatever the batch size. */
export class EventsRepository {
  constructor(private readonly db: Db) {}

  /** Events by (sender, cid): one index probe each, whatever the statistics say. */
  async findBySenderCids(keys: Array<{ sender_id: string; cid: string }>, tx?: Queryable): Promise<EventRow[]> {
    if (keys.length === 0) return [];
    return this.db.rows<EventRow>(
      `SELECT e.* FROM unnest($1::text[], $2::text[]) AS q(sender_id, cid)
        CROSS JOIN LATERAL (SELECT conversation_id, seq FROM event_cids k WHERE k.sender_id = q.sender_id AND k.cid = q.cid LIMIT 1) k
        CROSS JOIN LATERAL (SELECT ${COLUMNS} FROM events x WHERE x.conversation_id = k.conversation_id AND x.seq = k.seq LIMIT 1) e`,
      [keys.map((k) => k.sender_id), keys.map((k) => k.cid)],
      tx,
    );
  }

  /**
   * Reserves `count` seqs in each conversation. Returns the new max seq and the time of the
   * last reserved event: events get consecutive milliseconds ending there, strictly after
   * the conversation's previous event, so time order is seq order and no two events of a
   * conversation share a time (or, with the same sender and content, an id). Rows are
   * locked in conversation order so concurrent batches take them in the same order.
   */
  async reserveSeqs(counts: Map<string, number>, now: number, tx: Queryable): Promise<Map<string, { max_seq: number; last_at: number }>> {
    const ids = [...counts.keys()].sort();
    const rows = await this.db.rows<{ conversation_id: string; max_seq: number; last_event_at: number }>(
      `INSERT INTO conversation_seqs (conversation_id, max_seq, last_event_at)
       SELECT c, n, $3::bigint + n - 1 FROM unnest($1::text[], $2::bigint[]) AS t(c, n) ORDER BY c
       ON CONFLICT (conversation_id) DO UPDATE
         SET max_seq = conversation_seqs.max_seq + EXCLUDED.max_seq,
             last_event_at = GREATEST(conversation_seqs.last_event_at + EXCLUDED.max_seq, EXCLUDED.last_event_at)
       RETURNING conversation_id, max_seq, last_event_at`,
      [ids, ids.map((id) => counts.get(id)!), now],
      tx,
    );
    return new Map(rows.map((r) => [r.conversation_id, { max_seq: r.max_seq, last_at: r.last_event_at }]));
  }

  /** Records the newest message of each conversation written in a batch. */
  async setLastMessages(last: Array<{ conversation_id: string; seq: number; created_at: number }>, tx: Queryable): Promise<void> {
    if (last.length === 0) return;
    await this.db.query(
      `UPDATE conversation_seqs s SET last_message_seq = v.s, last_message_at = v.a
         FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS v(c, s, a)
        WHERE s.conversation_id = v.c AND s.last_message_seq < v.s`,
      [last.map((l) => l.conversation_id), last.map((l) => l.seq), last.map((l) => l.created_at)],
      tx,
    );
  }

  /**
   * Orders some of a user's conversations by activity (pinned first, then the newest
   * message above the user's join point, else the conversation's creation) and returns the
   * first `limit` after the cursor, with the key they were ordered by.
   */
  async rankConversations(
    conversations: Array<{ conversation_id: string; join_seq: number; created_at: number; pinned: boolean }>,
    after: { pinned: boolean; updated_at: number; conversation_id: string } | undefined,
    limit: number,
  ): Promise<Array<{ conversation_id: string; pinned: boolean; updated_at: number }>> {
    if (conversations.length === 0) return [];
    return this.db.rows(
      `WITH req AS (SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bool[]) AS r(conversation_id, join_seq, created_at, pinned)),
            k AS (
              SELECT req.conversation_id, req.pinned,
                     CASE WHEN s.last_message_seq > req.join_seq THEN s.last_message_at ELSE req.created_at END AS updated_at
                FROM req LEFT JOIN conversation_seqs s ON s.conversation_id = req.conversation_id)
       SELECT conversation_id, pinned, updated_at FROM k
        WHERE $5::bool IS NULL
           OR (NOT k.pinned AND $5)
           OR (k.pinned = $5 AND (k.updated_at < $6 OR (k.updated_at = $6 AND k.conversation_id > $7)))
        ORDER BY pinned DESC, updated_at DESC, conversation_id
        LIMIT $8`,
      [
        conversations.map((c) => c.conversation_id),
        conversations.map((c) => c.join_seq),
        conversations.map((c) => c.created_at),
        conversations.map((c) => c.pinned),
        after?.pinned ?? null,
        after?.updated_at ?? null,
        after?.conversation_id ?? null,
        limit,
      ],
    );
  }

  /** Inserts events with their idempotency and id entries, in one statement. */
  async insertMany(events: NewEvent[], tx: Queryable): Promise<void> {
    await this.db.query(
      `WITH r AS (
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::bigint[])
           AS r(c, s, i, u, k, b, t, x, a)),
       claimed AS (INSERT INTO event_cids (sender_id, cid, conversation_id, seq, id, created_at) SELECT u, x, c, s, i, a FROM r),
       named AS (INSERT INTO event_ids (id, conversation_id, seq) SELECT i, c, s FROM r)
       INSERT INTO events (conversation_id, seq, id, sender_id, kind, content, tags, cid, created_at)
       SELECT c, s, i, u, k, b, t::jsonb, x, a FROM r`,
      [
        events.map((e) => e.conversation_id),
        events.map((e) => e.seq),
        events.map((e) => e.id),
        events.map((e) => e.sender_id),
        events.map((e) => e.kind),
        events.map((e) => e.content),
        events.map((e) => JSON.stringify(e.tags)),
        events.map((e) => e.cid),
        events.map((e) => e.created_at),
      ],
      tx,
    );
  }

  /**
   * Stores a batch of events that change nothing else (text, file) in one prepared
   * statement: finds those already stored (same sender and cid) by one index probe each,
   * reserves seqs and times, computes each id (the contract's SHA-256 over the canonical
   * JSON, whose pieces are serialised here by JSON.stringify) and inserts. One round trip and
   * one commit for the whole batch, one plan for any batch size, and only what an ack needs
   * comes back: the caller has the rest. `ord` says which item a row answers.
   */
  async storePlain(items: Array<{ sender_id: string; conversation_id: string; kind: number; content: string; tags: Tag[]; cid: string }>, now: number): Promise<StoredRef[]> {
    if (items.length === 1) {
      const i = items[0]!;
      const tags = JSON.stringify(i.tags);
      return this.db.rows<StoredRef>(STORE_ONE, [
        i.sender_id,
        i.conversation_id,
        i.kind,
        i.content,
        tags,
        i.cid,
        JSON.stringify(i.sender_id),
        JSON.stringify(i.conversation_id),
        JSON.stringify(i.content),
        now,
        referencedFile(i.kind, i.tags) ?? null,
      ]);
    }
    return this.db.rows<StoredRef>(STORE_PLAIN, [
      items.map((i) => i.sender_id),
      items.map((i) => i.conversation_id),
      items.map((i) => i.kind),
      items.map((i) => i.content),
      items.map((i) => JSON.stringify(i.tags)),
      items.map((i) => i.cid),
      items.map((i) => JSON.stringify(i.sender_id)),
      items.map((i) => JSON.stringify(i.conversation_id)),
      items.map((i) => JSON.stringify(i.content)),
      items.map((_, n) => n),
      now,
      fileColumn(items),
    ]);
  }

  /** Queues for search, and records the file references of, events stored by insertMany. */
  async indexMany(events: NewEvent[], tx: Queryable): Promise<void> {
    const files = fileColumn(events);
    if (events.every((e) => e.kind !== Kind.TEXT && e.kind !== Kind.FILE)) return;
    await this.db.query(
      `WITH numbered AS (
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::int[], $4::text[]) AS t(conversation_id, seq, kind, file_id)),
       searchable AS (${INDEX_SEARCH_DOCS})
       ${INDEX_FILE_REFS}`,
      [events.map((e) => e.conversation_id), events.map((e) => e.seq), events.map((e) => e.kind), files],
      tx,
    );
  }

  async maxSeq(conversationId: string): Promise<number> {
    const row = await this.db.one<{ max_seq: number }>('SELECT max_seq FROM conversation_seqs WHERE conversation_id = $1', [conversationId]);
    return row?.max_seq ?? 0;
  }

  /** An event by id: event_ids says where it is, then one events partition is read. */
  async findById(id: string, tx?: Queryable): Promise<EventRow | undefined> {
    return this.db.one<EventRow>(
      `SELECT e.* FROM event_ids i CROSS JOIN LATERAL (SELECT ${COLUMNS} FROM events x WHERE x.conversation_id = i.conversation_id AND x.seq = i.seq LIMIT 1) e WHERE i.id = $1`,
      [id],
      tx,
    );
  }

  async findByIds(ids: string[], tx?: Queryable): Promise<EventRow[]> {
    if (ids.length === 0) return [];
    return this.db.rows<EventRow>(
      `SELECT e.* FROM event_ids i CROSS JOIN LATERAL (SELECT ${COLUMNS} FROM events x WHERE x.conversation_id = i.conversation_id AND x.seq = i.seq LIMIT 1) e
        WHERE i.id = ANY($1::text[])`,
      [ids],
      tx,
    );
  }

  /** Events by (conversation_id, seq). */
  async findByKeys(keys: Array<{ conversation_id: string; seq: number }>): Promise<EventRow[]> {
    if (keys.length === 0) return [];
    return this.db.rows<EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE (conversation_id, seq) IN (SELECT * FROM unnest($1::text[], $2::bigint[]))`,
      [keys.map((k) => k.conversation_id), keys.map((k) => k.seq)],
    );
  }

  /** A target event, locked until the end of the transaction that changes its state. */
  async lockById(id: string, tx: Queryable): Promise<EventRow | undefined> {
    const at = await this.db.one<{ conversation_id: string; seq: number }>('SELECT conversation_id, seq FROM event_ids WHERE id = $1', [id], tx);
    if (!at) return undefined;
    return this.db.one<EventRow>(`SELECT ${COLUMNS} FROM events WHERE conversation_id = $1 AND seq = $2 FOR UPDATE`, [at.conversation_id, at.seq], tx);
  }

  /** A revoked event loses its reactions, its search document and the file access it gave. */
  async markRevoked(conversationId: string, seq: number, at: number, tx: Queryable): Promise<void> {
    await this.db.query(
      `WITH r AS (DELETE FROM reactions WHERE conversation_id = $1 AND target_seq = $2),
            f AS (DELETE FROM file_refs WHERE conversation_id = $1 AND seq = $2)
       UPDATE events SET revoked_at = $3 WHERE conversation_id = $1 AND seq = $2`,
      [conversationId, seq, at],
      tx,
    );
    // The queue row first, then the document: the order the indexer takes them in. The
    // other way round, a revoke and an indexer holding the queue row (after an edit) would
    // each wait for the other's row until PostgreSQL broke the deadlock.
    await this.requeue(conversationId, seq, tx);
    await this.db.query('DELETE FROM search_docs WHERE conversation_id = $1 AND seq = $2', [conversationId, seq], tx);
  }

  /**
   * Queues an event for the search indexer again, after an edit or a revoke: it rewrites (or
   * drops) the document from the event's state as committed. Should the indexer hold the
   * queued row right now (it read the old state), the no-op update waits for its transaction
   * and, once the indexer has taken the row off the queue, inserts it again: the new state
   * is indexed after the old one. `DO NOTHING` would not wait, and the old text would stay
   * under the key index with nothing queued to correct it.
   */
  private async requeue(conversationId: string, seq: number, tx: Queryable): Promise<void> {
    await this.db.query(
      'INSERT INTO search_queue (conversation_id, seq) VALUES ($1, $2) ON CONFLICT (conversation_id, seq) DO UPDATE SET seq = EXCLUDED.seq',
      [conversationId, seq],
      tx,
    );
  }

  /** An edit replaces what readers see, and what search finds, of a text. */
  async setCurrentContent(conversationId: string, seq: number, content: string, at: number, tx: Queryable): Promise<void> {
    await this.db.query('UPDATE events SET current_content = $3, edited_at = $4 WHERE conversation_id = $1 AND seq = $2', [conversationId, seq, content, at], tx);
    await this.requeue(conversationId, seq, tx);
  }

  async addReaction(conversationId: string, seq: number, userId: string, emoji: string, at: number, tx: Queryable): Promise<void> {
    await this.db.query(
      'INSERT INTO reactions (conversation_id, target_seq, user_id, emoji, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
      [conversationId, seq, userId, emoji, at],
      tx,
    );
  }

  async removeReaction(conversationId: string, seq: number, userId: string, emoji: string, tx: Queryable): Promise<void> {
    await this.db.query('DELETE FROM reactions WHERE conversation_id = $1 AND target_seq = $2 AND user_id = $3 AND emoji = $4', [conversationId, seq, userId, emoji], tx);
  }

  /** Fills `reactions` of the given rows (all of one conversation or many) in one query. */
  async withReactions(rows: EventRow[]): Promise<EventRow[]> {
    if (rows.length === 0) return rows;
    const found = await this.db.rows<{ conversation_id: string; target_seq: number; emoji: string; users: string[] }>(
      `SELECT r.conversation_id, r.target_seq, r.emoji, array_agg(r.user_id ORDER BY r.created_at, r.user_id) AS users
         FROM reactions r JOIN unnest($1::text[], $2::bigint[]) AS t(c, s) ON r.conversation_id = t.c AND r.target_seq = t.s
        GROUP BY r.conversation_id, r.target_seq, r.emoji
        ORDER BY min(r.created_at)`,
      [rows.map((r) => r.conversation_id), rows.map((r) => r.seq)],
    );
    if (found.length === 0) return rows;
    const byEvent = new Map<string, Record<string, string[]>>();
    for (const f of found) {
      const key = `${f.conversation_id}\u0000${f.target_seq}`;
      const map = byEvent.get(key) ?? {};
      map[f.emoji] = f.users;
      byEvent.set(key, map);
    }
    return rows.map((r) => {
      const reactions = byEvent.get(`${r.conversation_id}\u0000${r.seq}`);
      return reactions ? { ...r, reactions } : r;
    });
  }

  /** Moves a read watermark forward, never past max_seq nor below the reader's join point. */
  async advanceReadSeq(conversationId: string, userId: string, seq: number, floor: number, now: number): Promise<number> {
    const row = await this.db.one<{ read_seq: number }>(
      `WITH cap AS (
         SELECT GREATEST(LEAST($3::bigint, COALESCE((SELECT max_seq FROM conversation_seqs WHERE conversation_id = $1), 0)), $4::bigint) AS v)
       INSERT INTO read_receipts (conversation_id, user_id, read_seq, updated_at)
       SELECT $1, $2, cap.v, $5 FROM cap
       ON CONFLICT (conversation_id, user_id) DO UPDATE
         SET read_seq = GREATEST(read_receipts.read_seq, EXCLUDED.read_seq), updated_at = EXCLUDED.updated_at
       RETURNING read_seq`,
      [conversationId, userId, seq, floor, now],
    );
    return row!.read_seq;
  }

  /**
   * Up to `limit` events above `after`, ascending. Events the viewer hid are left out in the
   * query itself, so a page is never short because of them.
   */
  async after(conversationId: string, after: number, limit: number, viewer?: string): Promise<EventRow[]> {
    return this.db.rows<EventRow>(
      `SELECT ${COLUMNS} FROM events e WHERE conversation_id = $1 AND seq > $2 ${NOT_HIDDEN('$4')} ORDER BY seq LIMIT $3`,
      [conversationId, after, limit, viewer ?? null],
    );
  }

  /** Up to `limit` events below `before` and above `floor`, newest first, without the viewer's hidden ones. */
  async before(conversationId: string, before: number, floor: number, limit: number, viewer?: string): Promise<EventRow[]> {
    return this.db.rows<EventRow>(
      `SELECT ${COLUMNS} FROM events e WHERE conversation_id = $1 AND seq < $2 AND seq > $3 ${NOT_HIDDEN('$5')} ORDER BY seq DESC LIMIT $4`,
      [conversationId, before, floor, limit, viewer ?? null],
    );
  }

  /** Hides an event from one member's own view; true when it was not hidden yet. */
  async hide(conversationId: string, userId: string, seq: number, now: number): Promise<boolean> {
    const r = await this.db.query(
      'INSERT INTO hidden_events (conversation_id, user_id, seq, hidden_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [conversationId, userId, seq, now],
    );
    return (r.rowCount ?? 0) > 0;
  }

  /** Of the given members, those whose read watermark is at or past `seq`; and max_seq. One statement. */
  async readBy(conversationId: string, seq: number, userIds: string[]): Promise<{ read: string[]; max_seq: number }> {
    const row = await this.db.one<{ read: string[]; max_seq: number }>(
      `SELECT COALESCE((SELECT max_seq FROM conversation_seqs WHERE conversation_id = $1), 0) AS max_seq,
              ARRAY(SELECT user_id FROM read_receipts
                     WHERE conversation_id = $1 AND user_id = ANY($2::text[]) AND read_seq >= $3
                     ORDER BY user_id) AS read`,
      [conversationId, userIds, seq],
    );
    return row!;
  }

  /** Whether a file event in one of the conversations, above the reader's join point, names the file. */
  async fileReferenced(fileId: string, conversations: Array<{ conversation_id: string; join_seq: number }>): Promise<boolean> {
    if (conversations.length === 0) return false;
    const row = await this.db.one<{ referenced: boolean }>(
      `SELECT EXISTS (
         SELECT 1 FROM unnest($2::text[], $3::bigint[]) AS r(conversation_id, join_seq)
           JOIN file_refs f ON f.conversation_id = r.conversation_id AND f.file_id = $1 AND f.seq > r.join_seq) AS referenced`,
      [fileId, conversations.map((c) => c.conversation_id), conversations.map((c) => c.join_seq)],
    );
    return row!.referenced;
  }

  /**
   * Counters of many conversations for one member, in one statement: max_seq, the read
   * watermark (never below the join point), unread messages by others, and the newest message.
   */
  async states(userId: string, conversations: Array<{ conversation_id: string; join_seq: number }>): Promise<Array<StateRow>> {
    if (conversations.length === 0) return [];
    return this.db.rows<StateRow>(
      `WITH req AS (SELECT * FROM unnest($2::text[], $3::bigint[]) AS r(conversation_id, join_seq)),
            base AS (
              SELECT req.conversation_id, req.join_seq, COALESCE(s.max_seq, 0) AS max_seq,
                     LEAST(GREATEST(COALESCE(rr.read_seq, 0), req.join_seq), COALESCE(s.max_seq, 0)) AS read_seq
                FROM req
                LEFT JOIN conversation_seqs s ON s.conversation_id = req.conversation_id
                LEFT JOIN read_receipts rr ON rr.conversation_id = req.conversation_id AND rr.user_id = $1)
       SELECT base.conversation_id, base.max_seq, base.read_seq,
              (SELECT count(*)::int FROM events e
                WHERE e.conversation_id = base.conversation_id AND e.seq > base.read_seq
                  AND e.sender_id <> $1 AND e.kind = ANY($4::int[]) AND e.revoked_at IS NULL ${NOT_HIDDEN('$1')}) AS unread,
              (SELECT row_to_json(l) FROM (
                 SELECT ${COLUMNS} FROM events e
                  WHERE e.conversation_id = base.conversation_id AND e.seq > base.join_seq AND e.kind = ANY($4::int[]) ${NOT_HIDDEN('$1')}
                  ORDER BY e.seq DESC LIMIT 1) l) AS last_event
         FROM base`,
      [userId, conversations.map((c) => c.conversation_id), conversations.map((c) => c.join_seq), [...MESSAGE_KINDS]],
    );
  }

  async query(
    conversationId: string,
    filter: { floor: number; kinds?: number[] | undefined; since?: number | undefined; until?: number | undefined; limit: number },
  ): Promise<EventRow[]> {
    return this.db.rows<EventRow>(
      `SELECT ${COLUMNS} FROM events
        WHERE conversation_id = $1 AND seq > $2
          AND ($3::int[] IS NULL OR kind = ANY($3::int[]))
          AND ($4::bigint IS NULL OR created_at >= $4)
          AND ($5::bigint IS NULL OR created_at <= $5)
        ORDER BY seq DESC LIMIT $6`,
      [conversationId, filter.floor, filter.kinds ?? null, filter.since ?? null, filter.until ?? null, filter.limit],
    );
  }
}
