import type { Db } from '@im/db';
import {
  encodeMomentCursor,
  forbidden,
  notFound,
  type Effects,
  type Moment,
  type MomentComment,
  type MomentLocation,
  type MomentPage,
  type MomentPosition,
  type MomentVisibility,
} from '@im/protocol';
import { newId } from '../../ids.js';
import type { UsersRepository } from '../accounts/users-repository.js';
import { effects } from '../effects.js';
import type { CommentRow, MomentRow, MomentsRepository } from './repository.js';

export interface NewMoment {
  content: string;
  images?: string[] | undefined;
  location?: MomentLocation | null | undefined;
  visibility: MomentVisibility;
}

function toComment(row: CommentRow): MomentComment {
  return {
    comment_id: row.comment_id,
    user_id: row.user_id,
    content: row.content,
    reply_to_comment_id: row.reply_to_comment_id,
    reply_to_user_id: row.reply_to_user_id,
    created_at: row.created_at,
  };
}

function toMoment(row: MomentRow, likes: string[], comments: MomentComment[]): Moment {
  return {
    moment_id: row.moment_id,
    user_id: row.user_id,
    content: row.content,
    images: row.images,
    location: row.location_name === null ? null : { name: row.location_name, lat: row.location_lat!, lng: row.location_lng! },
    visibility: row.visibility,
    created_at: row.created_at,
    likes,
    comments,
  };
}

const MOMENT_GONE = () => notFound('no such moment', 'moment_id');

/**
 * Moments (contract 5): posts with a visibility, likes and comments. Visibility is decided
 * by the repository's queries from current friendships and blocks; a moment the caller may
 * not see answers `not_found` to every command, exactly as one that does not exist.
 */
export class MomentsService {
  constructor(
    private readonly db: Db,
    private readonly moments: MomentsRepository,
    private readonly users: UsersRepository,
  ) {}

  async post(userId: string, m: NewMoment): Promise<{ moment: Moment }> {
    const row: MomentRow = {
      moment_id: newId('m'),
      user_id: userId,
      content: m.content,
      images: m.images ?? [],
      location_name: m.location?.name ?? null,
      location_lat: m.location?.lat ?? null,
      location_lng: m.location?.lng ?? null,
      visibility: m.visibility,
      created_at: Date.now(),
    };
    await this.moments.insert(row);
    return { moment: toMoment(row, [], []) };
  }

  async timeline(userId: string, before: MomentPosition | undefined, limit: number): Promise<MomentPage> {
    return this.page(userId, await this.moments.timeline(userId, before, limit + 1), limit);
  }

  /** One user's moments as the caller may see them; someone behind a block shows none. */
  async ofUser(userId: string, authorId: string, before: MomentPosition | undefined, limit: number): Promise<MomentPage> {
    const rows = await this.moments.ofUser(userId, authorId, before, limit + 1);
    if (rows.length === 0 && !(await this.users.exists(authorId))) throw notFound('no such user', 'user_id');
    return this.page(userId, rows, limit);
  }

  /** Cuts a page read one row past `limit` (so the last page is known) and attaches likes and comments. */
  private async page(viewerId: string, rows: MomentRow[], limit: number): Promise<MomentPage> {
    const page = rows.slice(0, limit);
    const ids = page.map((r) => r.moment_id);
    const [likes, comments] = await Promise.all([this.moments.likesOf(ids, viewerId), this.moments.commentsOf(ids, viewerId)]);
    const likesBy = new Map<string, string[]>(ids.map((id) => [id, []]));
    for (const l of likes) likesBy.get(l.moment_id)?.push(l.user_id);
    const commentsBy = new Map<string, MomentComment[]>(ids.map((id) => [id, []]));
    for (const c of comments) commentsBy.get(c.moment_id)?.push(toComment(c));
    const last = page[page.length - 1];
    return {
      moments: page.map((r) => toMoment(r, likesBy.get(r.moment_id)!, commentsBy.get(r.moment_id)!)),
      next_cursor: rows.length > limit && last ? encodeMomentCursor(last) : null,
    };
  }

  /** Idempotent; the author hears of a new like that is not their own. */
  async like(userId: string, momentId: string): Promise<{ effects: Effects }> {
    const r = await this.moments.like(momentId, userId, Date.now());
    if (!r) throw MOMENT_GONE();
    const notices =
      r.inserted && r.author_id !== userId ? [{ user_ids: [r.author_id], notice: { type: 'moment_liked' as const, moment_id: momentId, user_id: userId } }] : [];
    return { effects: effects(notices) };
  }

  /** Withdrawing a like that is not there succeeds; nobody is told. */
  async unlike(userId: string, momentId: string): Promise<Record<string, never>> {
    if (!(await this.moments.unlike(momentId, userId))) throw MOMENT_GONE();
    return {};
  }

  /**
   * Comments on a moment the caller may see. A reply names a comment of the same moment
   * that the caller may see; anything else is `not_found`, as an unknown comment would be.
   */
  async comment(userId: string, momentId: string, content: string, replyTo: string | null | undefined): Promise<{ comment: MomentComment; effects: Effects }> {
    return this.db.transaction(async (tx) => {
      const moment = await this.moments.findVisible(momentId, userId, tx, true);
      if (!moment) throw MOMENT_GONE();
      let replyToUserId: string | null = null;
      if (replyTo != null) {
        const parent = await this.moments.findVisibleComment(replyTo, userId, tx);
        if (!parent || parent.moment_id !== momentId) throw notFound('no such comment on this moment', 'reply_to_comment_id');
        replyToUserId = parent.user_id;
      }
      const row: CommentRow = {
        comment_id: newId('k'),
        moment_id: momentId,
        user_id: userId,
        content,
        reply_to_comment_id: replyTo ?? null,
        reply_to_user_id: replyToUserId,
        created_at: Date.now(),
      };
      await this.moments.insertComment(row, tx);
      const comment = toComment(row);
      const notices =
        moment.user_id !== userId
          ? [{ user_ids: [moment.user_id], notice: { type: 'moment_commented' as const, moment_id: momentId, user_id: userId, comment } }]
          : [];
      return { comment, effects: effects(notices) };
    });
  }

  /** The author deletes a moment with its likes and comments; a viewer who is not the author is refused. */
  async deleteMoment(userId: string, momentId: string): Promise<Record<string, never>> {
    if (await this.moments.deleteOwn(momentId, userId)) return {};
    if (await this.moments.findVisible(momentId, userId)) throw forbidden('only the author may delete a moment', 'moment_id');
    throw MOMENT_GONE();
  }

  /** The comment's author or the moment's author may delete a comment; replies to it stay. */
  async deleteComment(userId: string, commentId: string): Promise<Record<string, never>> {
    const c = await this.moments.findVisibleComment(commentId, userId);
    if (!c) throw notFound('no such comment', 'comment_id');
    if (c.user_id !== userId && c.moment_author_id !== userId) throw forbidden("only the comment's author or the moment's author may delete it", 'comment_id');
    await this.moments.deleteComment(commentId);
    return {};
  }
}
