import { encode } from '@im/codec';
import { AppError, checkEventShape, isPersistedKind, type Ack } from '@im/protocol';
import { access } from '../access.js';
import { handler } from '../handler.js';

/**
 * The hot path: rate limit, shape check, membership from cache, store (the relay batches
 * and acks only after commit), ack the sender, then push the stored event, encoded once, to
 * every other socket of every member.
 */
export const event = handler('event', async ({ conn, deps }, data) => {
  if (!conn.allowEvent(Date.now())) throw new AppError('rate_limited', 'too many events; slow down');
  const tags = data.tags ?? [];
  checkEventShape({ kind: data.kind, content: data.content, tags, cid: data.cid });
  if (!isPersistedKind(data.kind)) throw new AppError('bad_request', `kind ${data.kind} is not supported yet`, 'kind');
  // Stored in the order this socket sent them; the push follows its own store, in order too.
  const stored = await conn.inOrder(async () => {
    const { memberIds } = await access(deps, conn.userId, data.conversation_id, 'write');
    const stored = await deps.relayWrites.call('relay.storeEvent', {
      sender_id: conn.userId,
      conversation_id: data.conversation_id,
      kind: data.kind,
      content: data.content,
      tags,
      cid: data.cid!,
    });
    if (!stored.duplicate) deps.router.deliver(memberIds, encode({ cmd: 'event', data: stored.event }), conn.id);
    return stored;
  });
  const e = stored.event;
  const ack: Ack = { event_id: e.id, conversation_id: e.conversation_id, seq: e.seq, created_at: e.created_at, cid: e.cid, duplicate: stored.duplicate };
  return { cmd: 'ack', data: ack };
});
