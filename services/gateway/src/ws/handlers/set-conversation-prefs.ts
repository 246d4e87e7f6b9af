import { encode } from '@im/codec';
import { badRequest } from '@im/protocol';
import { handler, result } from '../handler.js';

/** Pin or mute a conversation for oneself; the caller's other devices hear the new state. */
export const setConversationPrefs = handler('set_conversation_prefs', async ({ conn, deps }, data) => {
  // A change of nothing is a client's mistake, not a notice for every device.
  if (data.pinned === undefined && data.muted === undefined) throw badRequest('give pinned, muted or both', 'pinned');
  const prefs = await deps.seaking.call('seaking.setConversationPrefs', {
    user_id: conn.userId,
    conversation_id: data.conversation_id,
    pinned: data.pinned,
    muted: data.muted,
  });
  const notice = { type: 'conversation_prefs' as const, conversation_id: prefs.conversation_id, pinned: prefs.pinned, muted: prefs.muted };
  deps.router.deliver([conn.userId], encode({ cmd: 'notice', data: notice }), conn.id);
  return result();
});
