import { access } from '../access.js';
import { handler, result } from '../handler.js';

export const getConversationMembers = handler('get_conversation_members', async ({ conn, deps }, data) => {
  const { info } = await access(deps, conn.userId, data.conversation_id, 'read');
  return result({ members: info.members.map((m) => ({ user_id: m.user_id, role: m.role, joined_at: m.joined_at })) });
});
