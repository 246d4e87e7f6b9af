import { applyEffects } from '../effects.js';
import { handler, result } from '../handler.js';
import { withCounters } from './conversations.js';

export const createConversation = handler('create_conversation', async ({ conn, deps }, data) => {
  const created = await deps.seaking.call('seaking.createConversation', { user_id: conn.userId, peer_user_id: data.peer_user_id });
  applyEffects(deps, created.effects);
  const [conversation] = await withCounters(deps, conn.userId, [created.conversation]);
  return result({ conversation });
});
