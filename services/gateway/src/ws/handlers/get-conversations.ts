import { handler, result } from '../handler.js';
import { withCounters } from './conversations.js';

/** Every conversation of the caller, newest activity first: one call to each service. */
export const getConversations = handler('get_conversations', async ({ conn, deps }) => {
  const { conversations } = await deps.seaking.call('seaking.getUserConversations', { user_id: conn.userId });
  const list = await withCounters(deps, conn.userId, conversations);
  list.sort((a, b) => b.updated_at - a.updated_at || (a.conversation_id < b.conversation_id ? -1 : 1));
  return result({ conversations: list });
});
