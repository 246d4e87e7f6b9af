import { Limits, type UserConversation } from '@im/protocol';
import { compareKeys, decodeCursor, encodeCursor } from '../../conversations/cursor.js';
import type { GatewayDeps } from '../handler.js';
import { handler, result } from '../handler.js';
import { withCounters } from './conversations.js';

/** Rows per call to seaking and to the relay, whatever the number of conversations. */
const CHUNK = 10_000;

async function allConversations(deps: GatewayDeps, userId: string): Promise<UserConversation[]> {
  const all: UserConversation[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await deps.seaking.call('seaking.getUserConversations', { user_id: userId, after, limit: CHUNK });
    all.push(...page.conversations);
    if (!page.has_more || page.conversations.length === 0) return all;
    after = page.conversations.at(-1)!.conversation_id;
  }
}

/**
 * The caller's conversations a page at a time: pinned first, then newest activity. The
 * relay orders each chunk of the list by activity and returns its first page's worth; the
 * chunks' heads are merged here, and only the page's conversations get their counters.
 */
export const getConversations = handler('get_conversations', async ({ conn, deps }, data) => {
  const limit = data?.limit ?? Limits.conversationsDefaultLimit;
  const after = data?.before === undefined ? undefined : decodeCursor(data.before);
  const list = await allConversations(deps, conn.userId);
  const chunks: UserConversation[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) chunks.push(list.slice(i, i + CHUNK));
  const heads = await Promise.all(
    chunks.map((chunk) =>
      deps.relay.call('relay.rankConversations', {
        user_id: conn.userId,
        conversations: chunk.map((c) => ({ conversation_id: c.conversation_id, join_seq: c.join_seq, created_at: c.created_at, pinned: c.pinned })),
        after,
        limit: limit + 1,
      }),
    ),
  );
  const ranked = heads.flatMap((h) => h.ranked).sort(compareKeys);
  const page = ranked.slice(0, limit);
  const byId = new Map(list.map((c) => [c.conversation_id, c]));
  const conversations = await withCounters(
    deps,
    conn.userId,
    page.map((r) => byId.get(r.conversation_id)!),
  );
  const last = page.at(-1);
  return result({ conversations, next_cursor: ranked.length > limit && last ? encodeCursor(last) : null });
});
