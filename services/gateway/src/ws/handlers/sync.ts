import { access } from '../access.js';
import { handler, result } from '../handler.js';

/** History and catch-up. A member reads only what came after they joined, and not what they hid. */
export const sync = handler('sync', async ({ conn, deps }, data) => {
  const { joinSeq } = await access(deps, conn.userId, data.conversation_id, 'read');
  const page = await deps.relay.call('relay.syncEvents', {
    conversation_id: data.conversation_id,
    user_id: conn.userId,
    after_seq: data.after_seq,
    before_seq: data.before_seq,
    limit: data.limit,
    min_seq: joinSeq,
  });
  return result(page);
});
