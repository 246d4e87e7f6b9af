import { access } from '../access.js';
import { handler, result } from '../handler.js';
import { Limits } from '@im/protocol';

/**
 * Message search in what the caller may read now: seaking names their current memberships
 * with join points (a user who left or was removed has none there), the relay searches
 * only those, above each join point.
 */
export const searchMessages = handler('search_messages', async ({ conn, deps }, data) => {
  const conversations =
    data.conversation_id === undefined
      ? (await deps.seaking.call('seaking.getReadableConversations', { user_id: conn.userId })).conversations
      : [{ conversation_id: data.conversation_id, join_seq: (await access(deps, conn.userId, data.conversation_id, 'read')).joinSeq }];
  return result(
    await deps.relay.call('relay.searchEvents', {
      user_id: conn.userId,
      query: data.query,
      conversations,
      sender_id: data.sender_id,
      kinds: data.kinds,
      before: data.before,
      after: data.after,
      limit: data.limit ?? Limits.searchDefaultLimit,
      cursor: data.cursor,
    }),
  );
});
