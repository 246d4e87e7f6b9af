import { encode } from '@im/codec';
import { handler, result } from '../handler.js';

/** Pin or mute a conversation for oneself; the caller's other devices hear the new state. */
export const setConversationPrefs = handler('set_conversation_prefs', async ({ conn, deps }, data) => {
  const prefs = await deps.seaking.call('seaking.setConversationPrefs', {
    user_id: conn.userId,
    conversation_id: data.conversation_id,
    pinned: data.pinned,
    muted: data.muted,
  });
  const notice = { type: 'conversation_prefs' as const, conversation_id: prefs.conversation_id, pinned: prefs.pinned, muted: prefs.muted };
  // A change of nothing (neither field given) is answered, after the same checks, but
  // tells no other device.
  if (data.pinned !== undefined || data.muted !== undefined) deps.router.deliver([conn.userId], encode({ cmd: 'notice', data: notice }), conn.id);
  return result();
});
