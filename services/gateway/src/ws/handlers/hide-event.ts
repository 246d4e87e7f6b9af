import { encode } from '@im/codec';
import { AppError, notFound, type ImEvent } from '@im/protocol';
import { access } from '../access.js';
import { handler, result, type GatewayDeps } from '../handler.js';

/** The event if the user can read it (a member above their join point); else `not_found`. */
async function readable(deps: GatewayDeps, userId: string, eventId: string): Promise<ImEvent> {
  const { event } = await deps.relay.call('relay.getEvent', { event_id: eventId });
  const invisible = () => notFound('no such event', 'event_id');
  const { joinSeq } = await access(deps, userId, event.conversation_id, 'read').catch((err: unknown) => {
    // Whether a stranger's event exists is not the caller's business.
    if (err instanceof AppError && (err.code === 'forbidden' || err.code === 'not_found')) throw invisible();
    throw err;
  });
  if (event.seq <= joinSeq) throw invisible();
  return event;
}

/**
 * "Delete for me": the event leaves the caller's own sync, search, unread count and last
 * event; nobody else's view changes. Idempotent; the caller's other sockets hear of it once.
 */
export const hideEvent = handler('hide_event', async ({ conn, deps }, data) => {
  const event = await readable(deps, conn.userId, data.event_id);
  const { hidden } = await deps.relay.call('relay.hideEvent', { user_id: conn.userId, conversation_id: event.conversation_id, seq: event.seq });
  if (hidden) {
    const notice = { type: 'event_hidden', conversation_id: event.conversation_id, event_id: event.id };
    deps.router.deliver([conn.userId], encode({ cmd: 'notice', data: notice }), conn.id);
  }
  return result();
});
