import { access } from '../access.js';
import { handler, result } from '../handler.js';

/** Subscribing adds a conversation's typing events to this socket. Members only. */
export const subscribe = handler('subscribe', async ({ conn, deps }, data) => {
  await access(deps, conn.userId, data.conversation_id, 'read');
  (conn.subscriptions ??= new Set()).add(data.conversation_id);
  return result();
});

export const unsubscribe = handler('unsubscribe', async ({ conn }, data) => {
  conn.subscriptions?.delete(data.conversation_id);
  return result();
});
