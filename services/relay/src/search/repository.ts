import type { Db, Queryable } from '@im/db';
import { Kind } from '@im/protocol';
import type { EventRow } from '../events/repository.js';
import type { SearchPosition } from './cursor.js';
import { intArrayLiteral } from './text.js';

export interface SearchFilter {
  userId: string;
  conversations: Array<{ conversation_id: string; join_seq: number }>;
  /** The normalised query. */
  text: string;
  senderId?: string | undefined;
  kinds?: number[] | undefined;
  before?: number | undefined;
  after?: number | undefined;
  cursor?: SearchPosition | undefined;
  limit: number;
}

export interface SearchHit {
  conversation_id: string;
  seq: number;
  created_at: number;
}

/** How far a query without index keys looks back: per conversation, and how many conversations. */
export const SHORT_QUERY_WINDOW = { eventsPerConversation: 200, conversations: 50 } as const;

/**
 * The filters every search applies to `search_docs d`, after the reader's conversations and
 * join points: sender, kinds, time bounds, the cursor, and events the reader hid. Parameters
 * $3.. are those of `params()`.
 */
const FILTERS = `
   AND ($4::text IS NULL OR d.sender_id = $4)
   AND ($5::int[] IS NULL OR d.kind = ANY($5::int[]))
   AND ($6::bigint IS NULL OR d.created_at < $6)
   AND ($7::bigint IS NULL OR d.created_at > $7)
   AND ($8::bigint IS NULL OR (d.created_at, d.conversation_id, d.seq) < ($8::bigint, $9::text, $10::bigint))
   AND NOT EXISTS (SELECT 1 FROM hidden_events h WHERE h.conversation_id = d.conversation_id AND h.user_id = $3 AND h.seq = d.seq)`;

const ORDER = 'ORDER BY d.created_at DESC, d.conversation_id DESC, d.seq DESC';

/** A document whose event is queued is out of date (edited, revoked): `queued` has the event. */
const NOT_QUEUED = 'AND NOT EXISTS (SELECT 1 FROM search_queue q WHERE q.conversation_id = d.conversation_id AND q.seq = d.seq)';

const EVENT_COLUMNS = ['conversation_id', 'seq', 'id', 'sender_id', 'kind', 'content', 'tags', 'cid', 'created_at', 'edited_at', 'revoked_at', 'current_content'].map((c) => `d.${c}`).join(', ');

/** PostgreSQL's SQLSTATE for a missing privilege (here: not the owner of the index). */
const INSUFFICIENT_PRIVILEGE = '42501';

/** Most queued events one search compares (the queue is normally far shorter). */
export const QUEUED_MAX = 10000;

/** Message search over search_docs: newest first, in the reader's conversations only. */
export class SearchRepository {
  constructor(private readonly db: Db) {}

  private params(f: SearchFilter): unknown[] {
    return [
      f.conversations.map((c) => c.conversation_id),
      f.conversations.map((c) => c.join_seq),
      f.userId,
      f.senderId ?? null,
      f.kinds ?? null,
      f.before ?? null,
      f.after ?? null,
      f.cursor?.created_at ?? null,
      f.cursor?.conversation_id ?? null,
      f.cursor?.seq ?? null,
      f.text,
      f.limit,
    ];
  }

  /**
   * Through the key index, one probe per conversation of the reader: the documents holding
   * every key of the query in that conversation; the conversation (keys can collide), the
   * join point, the exact substring and the filters are checked on those rows only, and
   * each conversation gives at most a page before the pages are merged newest first.
   * Documents whose event is queued for reindexing are left to `queued`. `keys[i]` are the
   * query's keys in conversation i.
   */
  async indexed(f: SearchFilter, keys: number[][], tx?: Queryable): Promise<SearchHit[]> {
    return this.db.rows<SearchHit>(
      `SELECT d.conversation_id, d.seq, d.created_at
         FROM unnest($1::text[], $2::bigint[], $13::text[]) AS r(conversation_id, join_seq, keys)
        CROSS JOIN LATERAL (
          SELECT d.conversation_id, d.seq, d.created_at FROM search_docs d
           WHERE d.grams @> r.keys::int[]
             -- Written so that it cannot use the primary key: the key probe alone must find
             -- the rows, or a long conversation would be read whole.
             AND d.conversation_id || '' = r.conversation_id AND d.seq > r.join_seq
             AND strpos(d.body, $11) > 0 ${FILTERS} ${NOT_QUEUED}
           ${ORDER} LIMIT $12) d
        ${ORDER} LIMIT $12`,
      [...this.params(f), keys.map(intArrayLiteral)],
      tx,
    );
  }

  /**
   * The reader's events still queued for the indexer, within the filters, in their current
   * state: the caller compares their text itself. The queue is short (the indexer empties
   * it continuously); at most QUEUED_MAX are looked at.
   */
  async queued(f: SearchFilter, tx?: Queryable): Promise<EventRow[]> {
    return this.db.rows<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM unnest($1::text[], $2::bigint[]) AS r(conversation_id, join_seq)
         JOIN search_queue q ON q.conversation_id = r.conversation_id AND q.seq > r.join_seq
         JOIN events d ON d.conversation_id = q.conversation_id AND d.seq = q.seq
        WHERE d.revoked_at IS NULL AND d.kind IN (${Kind.TEXT}, ${Kind.FILE}) ${FILTERS}
        ${ORDER} LIMIT ${QUEUED_MAX}`,
      this.params(f).slice(0, 10),
      tx,
    );
  }

  /**
   * Claims up to `limit` queued events with their current state, for the rest of the
   * transaction; rows another indexer holds are skipped. An event no longer there comes
   * back without `kind`.
   */
  async claimQueued(limit: number, tx: Queryable): Promise<Array<Partial<EventRow> & { conversation_id: string; seq: number }>> {
    // Locked first, read after, in two statements. One statement reads every table as of its
    // start: an edit that requeued a row and committed while the statement was locking it
    // would be locked (the lock follows the edit's new row version) yet read in its old text,
    // and that text indexed with the edit's queue row taken off. Read once the locks are
    // held, the state is the edit's, or the edit waits on the lock and queues the row again.
    const claimed = await this.db.rows<{ conversation_id: string; seq: number }>(
      'SELECT conversation_id, seq FROM search_queue LIMIT $1 FOR UPDATE SKIP LOCKED',
      [limit],
      tx,
    );
    if (claimed.length === 0) return [];
    // Each one's event by its key: a join of the queue with the events would be planned as a
    // merge join that reads every event of the claimed conversations, already indexed ones
    // included, on every round.
    return this.db.rows(
      `SELECT q.conversation_id, q.seq, e.sender_id, e.kind, e.content, e.current_content, e.tags, e.created_at, e.revoked_at
         FROM unnest($1::text[], $2::bigint[]) AS q(conversation_id, seq)
         LEFT JOIN LATERAL (
           SELECT e.sender_id, e.kind, e.content, e.current_content, e.tags, e.created_at, e.revoked_at FROM events e
            WHERE e.conversation_id = q.conversation_id AND e.seq = q.seq LIMIT 1) e ON true`,
      [claimed.map((c) => c.conversation_id), claimed.map((c) => c.seq)],
      tx,
    );
  }

  /** Writes (or rewrites) documents and drops others, then takes all of them off the queue. */
  async applyIndexed(
    docs: Array<{ conversation_id: string; seq: number; sender_id: string; kind: number; created_at: number; body: string; grams: number[] }>,
    dropped: Array<{ conversation_id: string; seq: number }>,
    tx: Queryable,
  ): Promise<void> {
    if (docs.length > 0) {
      await this.db.query(
        `INSERT INTO search_docs (conversation_id, seq, sender_id, kind, created_at, body, grams)
         SELECT c, s, u, k, a, b, g::int[]
           FROM unnest($1::text[], $2::bigint[], $3::text[], $4::int[], $5::bigint[], $6::text[], $7::text[]) AS t(c, s, u, k, a, b, g)
         ON CONFLICT (conversation_id, seq) DO UPDATE SET body = EXCLUDED.body, grams = EXCLUDED.grams`,
        [
          docs.map((d) => d.conversation_id),
          docs.map((d) => d.seq),
          docs.map((d) => d.sender_id),
          docs.map((d) => d.kind),
          docs.map((d) => d.created_at),
          docs.map((d) => d.body),
          docs.map((d) => intArrayLiteral(d.grams)),
        ],
        tx,
      );
    }
    if (dropped.length > 0) {
      await this.db.query(
        'DELETE FROM search_docs WHERE (conversation_id, seq) IN (SELECT * FROM unnest($1::text[], $2::bigint[]))',
        [dropped.map((d) => d.conversation_id), dropped.map((d) => d.seq)],
        tx,
      );
    }
    const all = [...docs, ...dropped];
    await this.db.query(
      'DELETE FROM search_queue WHERE (conversation_id, seq) IN (SELECT * FROM unnest($1::text[], $2::bigint[]))',
      [all.map((d) => d.conversation_id), all.map((d) => d.seq)],
      tx,
    );
  }

  /**
   * Merges the documents waiting in the key index's pending list into the index. GIN keeps
   * inserts there until gin_pending_list_limit (4 MB) is reached, and every probe of a search
   * reads the whole list: one of 1 MB made a search over 200 conversations 7-9 times slower.
   * A merge per round costs the same CPU per document as a merge per 4 MB. It needs
   * ownership of the index (as VACUUM does): false where the role does not own it.
   */
  async mergePending(): Promise<boolean> {
    try {
      await this.db.query("SELECT gin_clean_pending_list('search_docs_grams')");
      return true;
    } catch (err) {
      if ((err as { code?: string }).code !== INSUFFICIENT_PRIVILEGE) throw err;
      return false;
    }
  }

  /**
   * Events waiting for the indexer (one queue for all relays), counted up to `cap`: a
   * backlog beyond it reads as cap + 1, so the count never costs more than that many rows.
   */
  async queueLength(cap: number): Promise<number> {
    return Number((await this.db.one<{ n: string }>('SELECT count(*) AS n FROM (SELECT 1 FROM search_queue LIMIT $1) q', [cap + 1]))!.n);
  }

  /**
   * Reclaims the space of queue rows the indexer took off: the queue is written and emptied
   * all day, and where autovacuum does not run (or runs late) every claim would otherwise
   * step over all the rows it ever held. Cheap: few rows are alive at any time.
   */
  async vacuumQueue(): Promise<void> {
    await this.db.query('VACUUM (SKIP_LOCKED) search_queue');
  }

  /**
   * Whether the search tables still hold the index: they are unlogged, so PostgreSQL empties
   * them, and search_index_present with them, after a crash; a promoted standby has them empty.
   */
  async indexPresent(): Promise<boolean> {
    return (await this.db.one<{ present: boolean }>('SELECT EXISTS (SELECT 1 FROM search_index_present) AS present'))!.present;
  }

  /**
   * Queues every searchable event for the indexer and marks the index present again; the
   * number queued, or undefined when another indexer did it first. Events stored meanwhile
   * queue themselves, so nothing is missed and nothing is queued twice.
   */
  async requeueAll(tx: Queryable): Promise<number | undefined> {
    await this.db.query("SELECT pg_advisory_xact_lock(hashtext('search_index_rebuild'))", [], tx);
    if ((await this.db.one('SELECT 1 FROM search_index_present', [], tx)) !== undefined) return undefined;
    const queued = await this.db.query(
      `INSERT INTO search_queue (conversation_id, seq)
       SELECT conversation_id, seq FROM events WHERE kind IN (${Kind.TEXT}, ${Kind.FILE}) AND revoked_at IS NULL
       ON CONFLICT DO NOTHING`,
      [],
      tx,
    );
    await this.db.query('INSERT INTO search_index_present VALUES (true)', [], tx);
    return queued.rowCount ?? 0;
  }

  /**
   * A query too short for the index (under three UTF-8 bytes: one or two Latin letters):
   * the newest SHORT_QUERY_WINDOW.eventsPerConversation searchable events (within the
   * filters) of each of the reader's SHORT_QUERY_WINDOW.conversations most recently active
   * conversations are compared. Each page costs at most that many rows; the cursor moves
   * the window back in time.
   */
  async recent(f: SearchFilter, tx?: Queryable): Promise<SearchHit[]> {
    return this.db.rows<SearchHit>(
      `WITH reader AS (SELECT * FROM unnest($1::text[], $2::bigint[]) AS r(conversation_id, join_seq)),
            active AS (
              SELECT r.conversation_id, r.join_seq FROM reader r JOIN conversation_seqs s ON s.conversation_id = r.conversation_id
               ORDER BY s.last_event_at DESC LIMIT ${SHORT_QUERY_WINDOW.conversations})
       SELECT d.conversation_id, d.seq, d.created_at
         FROM active a
        CROSS JOIN LATERAL (
          SELECT d.conversation_id, d.seq, d.created_at, d.body FROM search_docs d
           WHERE d.conversation_id = a.conversation_id AND d.seq > a.join_seq ${FILTERS} ${NOT_QUEUED}
           ORDER BY d.seq DESC LIMIT ${SHORT_QUERY_WINDOW.eventsPerConversation}) d
        WHERE strpos(d.body, $11) > 0
        ${ORDER} LIMIT $12`,
      this.params(f),
      tx,
    );
  }
}
