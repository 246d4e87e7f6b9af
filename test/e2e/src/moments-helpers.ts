import assert from 'node:assert/strict';
import type { ImError, ImSocket } from '@im/client';
import type { Moment, MomentVisibility } from '@im/protocol';

/** Matches an ImError by code and, when given, field. */
export const code = (expected: string, field?: string) => (e: ImError) => e.code === expected && (field === undefined || e.field === field);

export const ids = (moments: Moment[]) => moments.map((m) => m.moment_id);

export async function post(s: ImSocket, visibility: MomentVisibility, content = `${visibility} ${Math.random().toString(36).slice(2)}`): Promise<Moment> {
  return (await s.request('post_moment', { content, visibility })).moment;
}

/**
 * Reads every page of a timeline or user page; checks that each page but the last is full
 * and that the order is strictly newest first. `between` runs after each page (to post
 * concurrently with the reading).
 */
export async function readAll(
  s: ImSocket,
  read: { cmd: 'get_timeline' } | { cmd: 'get_user_moments'; user_id: string },
  limit: number,
  between: () => Promise<void> = async () => undefined,
): Promise<{ moments: Moment[]; pages: number }> {
  const all: Moment[] = [];
  let before: string | undefined;
  let pages = 0;
  for (;;) {
    const page =
      read.cmd === 'get_timeline'
        ? await s.request('get_timeline', { limit, ...(before ? { before } : {}) })
        : await s.request('get_user_moments', { user_id: read.user_id, limit, ...(before ? { before } : {}) });
    pages++;
    all.push(...page.moments);
    if (page.next_cursor === null) break;
    assert.equal(page.moments.length, limit, 'a page that is not the last is full');
    before = page.next_cursor;
    await between();
  }
  for (let i = 1; i < all.length; i++) {
    const [a, b] = [all[i - 1]!, all[i]!];
    assert.ok(a.created_at > b.created_at || (a.created_at === b.created_at && a.moment_id > b.moment_id), 'newest first, by time then id');
  }
  return { moments: all, pages };
}
