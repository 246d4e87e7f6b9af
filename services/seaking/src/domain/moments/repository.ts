import type { Db, Queryable } from '@im/db';
import type { MomentPosition, MomentVisibility } from '@im/protocol';

export interface MomentRow {
  moment_id: string;
  user_id: string;
  content: string;
  images: string[];
  location_name: string | null;
  location_lat: number | null;
  location_lng: number | null;
  visibility: MomentVisibility;
  created_at: number;
}

export interface CommentRow {
  comment_id: string;
  moment_id: string;
  user_id: string;
  content: string;
  reply_to_comment_id: string | null;
  reply_to_user_id: string | null;
  created_at: number;
}

/** A comment the viewer may see, with the author of its moment (who may delete it too). */
export interface VisibleComment {
  comment_id: string;
  moment_id: string;
  user_id: string;
  moment_author_id: string;
}

const COLUMNS = 'm.moment_id, m.user_id, m.content, m.images, m.location_name, m.location_lat, m.location_lng, m.visibility, m.created_at';
const COMMENT_COLUMNS = 'c.comment_id, c.moment_id, c.user_id, c.content, c.reply_to_comment_id, c.reply_to_user_id, c.created_at';

/** Sorts before every real position: the first page. */
const TOP: MomentPosition = { created_at: Number.MAX_SAFE_INTEGER, moment_id: '' };

/*
 * Who may see a moment is decided in each query from the current friendships and blocks,
 * never by filtering rows after reading them. The rule, in the three shapes the queries need:
 * the author sees all of their moments; anyone else sees none while a block stands between
 * them and the author (either way), and otherwise the `public` ones, plus the `friends` ones
 * when they are friends. `private` is the author's alone.
 */

/** The rule for one moment `m` and the viewer in parameter `v` (single-moment commands). */
function visibleTo(v: string): string {
  return `(m.user_id = ${v} OR (m.visibility <> 'private'
    AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.user_id = m.user_id AND b.blocked_id = ${v}) OR (b.user_id = ${v} AND b.blocked_id = m.user_id))
    AND (m.visibility = 'public' OR EXISTS (SELECT 1 FROM friendships f WHERE f.user_id = ${v} AND f.friend_id = m.user_id))))`;
}

/** No block between the viewer in `v` and the user in column `col`: their likes and comments show. */
function unblocked(col: string, v: string): string {
  return `NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.user_id = ${col} AND b.blocked_id = ${v}) OR (b.user_id = ${v} AND b.blocked_id = ${col}))`;
}

/**
 * The timeline page query: the viewer's own moments and their friends' `public` and
 * `friends` ones, below the cursor, newest first. Its cost follows the number of friends and
 * the page size, never the number of moments:
 *
 * 1. `heads`: each author's newest visible moment below the cursor. For a friend that is
 *    their row in `moment_heads` (one primary-key probe) when it is below the cursor, as it
 *    always is on a first page; only above it is their moments index probed. Friends who
 *    never shared a moment have no row and drop out. The viewer's own head is one probe.
 * 2. `floor`: the `fetch`-th newest of those heads. At least `fetch` moments are that new,
 *    so nothing older can be on the page.
 * 3. Only authors whose head reaches the floor are read again, each from the cursor down to
 *    the floor and at most `fetch` rows; the union is sorted and cut to `fetch`.
 *
 * Every scan is a primary-key probe or an index range on (user_id, created_at DESC,
 * moment_id DESC) with a LIMIT, under LATERAL, a plan PostgreSQL picks with or without
 * statistics (the LIMIT 1 on the key probe keeps the planner from turning it into a join
 * that reads all of `moment_heads`). Friendships and blocks exclude each other (a block ends
 * the friendship, and no request passes a block); the block check on the friend list costs
 * two probes and keeps the rule true even if that ever changed.
 */
export function timelineStatement(viewerId: string, before: MomentPosition | undefined, fetch: number): { text: string; values: unknown[] } {
  const at = before ?? TOP;
  const text = `
    WITH friends AS (
      SELECT f.friend_id AS user_id FROM friendships f
       WHERE f.user_id = $1
         AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.user_id = $1 AND b.blocked_id = f.friend_id)
         AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.user_id = f.friend_id AND b.blocked_id = $1)
    ), heads AS (
      SELECT $1::text AS user_id, true AS own, h.created_at FROM (
        SELECT m.created_at FROM moments m
         WHERE m.user_id = $1 AND (m.created_at, m.moment_id) < ($2, $3)
         ORDER BY m.created_at DESC, m.moment_id DESC
         LIMIT 1) h
      UNION ALL
      SELECT a.user_id, false, CASE WHEN (mh.created_at, mh.moment_id) < ($2, $3) THEN mh.created_at ELSE (
               SELECT m.created_at FROM moments m
                WHERE m.user_id = a.user_id AND m.visibility <> 'private' AND (m.created_at, m.moment_id) < ($2, $3)
                ORDER BY m.created_at DESC, m.moment_id DESC
                LIMIT 1) END
        FROM friends a CROSS JOIN LATERAL (SELECT created_at, moment_id FROM moment_heads mh WHERE mh.user_id = a.user_id LIMIT 1) mh
    ), floor AS (
      SELECT COALESCE((SELECT created_at FROM heads WHERE created_at IS NOT NULL ORDER BY created_at DESC OFFSET $4 - 1 LIMIT 1), -1) AS t
    )
    SELECT p.* FROM heads h CROSS JOIN LATERAL (
      SELECT ${COLUMNS} FROM moments m
       WHERE m.user_id = h.user_id AND (h.own OR m.visibility <> 'private') AND (m.created_at, m.moment_id) < ($2, $3)
         AND m.created_at >= (SELECT t FROM floor)
       ORDER BY m.created_at DESC, m.moment_id DESC
       LIMIT $4) p
     WHERE h.created_at >= (SELECT t FROM floor)
     ORDER BY p.created_at DESC, p.moment_id DESC
     LIMIT $4`;
  return { text, values: [viewerId, at.created_at, at.moment_id, fetch] };
}

/**
 * Sets every author's head from their moments, for moments written without the statements
 * below (bulk loads): the newest one that is not private, raised only, never lowered.
 */
export const REBUILD_MOMENT_HEADS = `INSERT INTO moment_heads (user_id, created_at, moment_id)
  SELECT DISTINCT ON (user_id) user_id, created_at, moment_id FROM moments WHERE visibility <> 'private'
   ORDER BY user_id, created_at DESC, moment_id DESC
  ON CONFLICT (user_id) DO UPDATE SET created_at = EXCLUDED.created_at, moment_id = EXCLUDED.moment_id
   WHERE (moment_heads.created_at, moment_heads.moment_id) < (EXCLUDED.created_at, EXCLUDED.moment_id)`;

/** Moments, their likes and comments. Only repositories hold SQL. */
export class MomentsRepository {
  constructor(private readonly db: Db) {}

  /** Stores a moment and, unless it is private, makes it its author's head if it is newer. */
  async insert(row: MomentRow): Promise<void> {
    await this.db.query(
      `WITH m AS (
         INSERT INTO moments (moment_id, user_id, content, images, location_name, location_lat, location_lng, visibility, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         RETURNING user_id, created_at, moment_id, visibility)
       INSERT INTO moment_heads (user_id, created_at, moment_id)
       SELECT user_id, created_at, moment_id FROM m WHERE visibility <> 'private'
       ON CONFLICT (user_id) DO UPDATE SET created_at = EXCLUDED.created_at, moment_id = EXCLUDED.moment_id
        WHERE (moment_heads.created_at, moment_heads.moment_id) < (EXCLUDED.created_at, EXCLUDED.moment_id)`,
      [row.moment_id, row.user_id, row.content, row.images, row.location_name, row.location_lat, row.location_lng, row.visibility, row.created_at],
    );
  }

  async timeline(viewerId: string, before: MomentPosition | undefined, fetch: number): Promise<MomentRow[]> {
    const { text, values } = timelineStatement(viewerId, before, fetch);
    return this.db.rows<MomentRow>(text, values);
  }

  /**
   * One user's moments as the viewer may see them, newest first. The relation between the
   * two is looked up once (uncorrelated subqueries run once per query), then the author's
   * index range is walked.
   */
  async ofUser(viewerId: string, authorId: string, before: MomentPosition | undefined, fetch: number): Promise<MomentRow[]> {
    const at = before ?? TOP;
    return this.db.rows<MomentRow>(
      `SELECT ${COLUMNS} FROM moments m
        WHERE m.user_id = $2 AND (m.created_at, m.moment_id) < ($3, $4)
          AND ($1 = $2 OR (m.visibility <> 'private'
               AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.user_id = $1 AND b.blocked_id = $2) OR (b.user_id = $2 AND b.blocked_id = $1))
               AND (m.visibility = 'public' OR EXISTS (SELECT 1 FROM friendships f WHERE f.user_id = $1 AND f.friend_id = $2))))
        ORDER BY m.created_at DESC, m.moment_id DESC
        LIMIT $5`,
      [viewerId, authorId, at.created_at, at.moment_id, fetch],
    );
  }

  /** The likes of a page of moments in one query, in the order made; likes from users in a block with the viewer are left out. */
  async likesOf(momentIds: string[], viewerId: string): Promise<Array<{ moment_id: string; user_id: string }>> {
    if (momentIds.length === 0) return [];
    return this.db.rows(
      `SELECT l.moment_id, l.user_id FROM moment_likes l
        WHERE l.moment_id = ANY($1::text[]) AND ${unblocked('l.user_id', '$2')}
        ORDER BY l.moment_id, l.created_at, l.n`,
      [momentIds, viewerId],
    );
  }

  /** The comments of a page of moments in one query, in the order made; as for likes, blocks hide. */
  async commentsOf(momentIds: string[], viewerId: string): Promise<CommentRow[]> {
    if (momentIds.length === 0) return [];
    return this.db.rows<CommentRow>(
      `SELECT ${COMMENT_COLUMNS} FROM moment_comments c
        WHERE c.moment_id = ANY($1::text[]) AND ${unblocked('c.user_id', '$2')}
        ORDER BY c.moment_id, c.created_at, c.n`,
      [momentIds, viewerId],
    );
  }

  /**
   * The moment if the viewer may see it. `lock` holds it against deletion until the
   * transaction ends, so what is attached to it cannot be orphaned.
   */
  async findVisible(momentId: string, viewerId: string, tx?: Queryable, lock = false): Promise<{ moment_id: string; user_id: string } | undefined> {
    return this.db.one(
      `SELECT m.moment_id, m.user_id FROM moments m WHERE m.moment_id = $1 AND ${visibleTo('$2')}${lock ? ' FOR KEY SHARE OF m' : ''}`,
      [momentId, viewerId],
      tx,
    );
  }

  /**
   * Likes a moment the viewer may see, in one statement. Undefined when they may not;
   * `inserted` is false when they had already liked it.
   */
  async like(momentId: string, viewerId: string, now: number): Promise<{ author_id: string; inserted: boolean } | undefined> {
    return this.db.one(
      `WITH target AS (
         SELECT m.moment_id, m.user_id FROM moments m WHERE m.moment_id = $1 AND ${visibleTo('$2')} FOR KEY SHARE OF m
       ), added AS (
         INSERT INTO moment_likes (moment_id, user_id, created_at) SELECT moment_id, $2, $3 FROM target
         ON CONFLICT (moment_id, user_id) DO NOTHING
         RETURNING 1
       )
       SELECT t.user_id AS author_id, EXISTS (SELECT 1 FROM added) AS inserted FROM target t`,
      [momentId, viewerId, now],
    );
  }

  /** Withdraws the viewer's like; false when they may not see the moment. */
  async unlike(momentId: string, viewerId: string): Promise<boolean> {
    const row = await this.db.one(
      `WITH target AS (
         SELECT m.moment_id FROM moments m WHERE m.moment_id = $1 AND ${visibleTo('$2')}
       ), removed AS (
         DELETE FROM moment_likes l USING target t WHERE l.moment_id = t.moment_id AND l.user_id = $2
       )
       SELECT 1 AS found FROM target`,
      [momentId, viewerId],
    );
    return row !== undefined;
  }

  /**
   * A comment the viewer may see: on a moment they may see, by someone with no block
   * between them and the viewer.
   */
  async findVisibleComment(commentId: string, viewerId: string, tx?: Queryable): Promise<VisibleComment | undefined> {
    return this.db.one<VisibleComment>(
      `SELECT c.comment_id, c.moment_id, c.user_id, m.user_id AS moment_author_id
         FROM moment_comments c JOIN moments m ON m.moment_id = c.moment_id
        WHERE c.comment_id = $1 AND ${visibleTo('$2')} AND ${unblocked('c.user_id', '$2')}`,
      [commentId, viewerId],
      tx,
    );
  }

  async insertComment(row: CommentRow, tx: Queryable): Promise<void> {
    await this.db.query(
      `INSERT INTO moment_comments (comment_id, moment_id, user_id, content, reply_to_comment_id, reply_to_user_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [row.comment_id, row.moment_id, row.user_id, row.content, row.reply_to_comment_id, row.reply_to_user_id, row.created_at],
      tx,
    );
  }

  /**
   * Deletes an author's moment with its likes and comments (they cascade); false when it is
   * not theirs. The author's head row is locked first, and set afterwards from the moments
   * left (a statement of its own, so it sees a post that committed while it waited).
   */
  async deleteOwn(momentId: string, authorId: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await this.db.query('SELECT 1 FROM moment_heads WHERE user_id = $1 FOR UPDATE', [authorId], tx);
      const gone = await this.db.one<{ shared: boolean }>(
        `DELETE FROM moments WHERE moment_id = $1 AND user_id = $2 RETURNING visibility <> 'private' AS shared`,
        [momentId, authorId],
        tx,
      );
      if (!gone) return false;
      if (gone.shared) {
        await this.db.query(
          `WITH newest AS (
             SELECT created_at, moment_id FROM moments
              WHERE user_id = $1 AND visibility <> 'private'
              ORDER BY created_at DESC, moment_id DESC LIMIT 1),
           emptied AS (DELETE FROM moment_heads WHERE user_id = $1 AND NOT EXISTS (SELECT 1 FROM newest))
           UPDATE moment_heads h SET created_at = n.created_at, moment_id = n.moment_id FROM newest n WHERE h.user_id = $1`,
          [authorId],
          tx,
        );
      }
      return true;
    });
  }

  async deleteComment(commentId: string): Promise<void> {
    await this.db.query('DELETE FROM moment_comments WHERE comment_id = $1', [commentId]);
  }

  /**
   * A block severs the two users' interactions: each one's likes and comments on the
   * other's moments go, so neither is left with words they can no longer see or remove.
   */
  async removeInteractionsBetween(a: string, b: string, tx: Queryable): Promise<void> {
    // One direction per statement, so each walks the acting user's index, not the tables.
    for (const table of ['moment_likes', 'moment_comments']) {
      for (const [actor, author] of [[a, b], [b, a]]) {
        await this.db.query(
          `DELETE FROM ${table} x USING moments m WHERE x.user_id = $1 AND m.moment_id = x.moment_id AND m.user_id = $2`,
          [actor, author],
          tx,
        );
      }
    }
  }
}
