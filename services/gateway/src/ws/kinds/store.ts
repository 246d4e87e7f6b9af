import { encode } from '@im/codec';
import type { Ack, EventInput, Tag } from '@im/protocol';
import { access } from '../access.js';
import type { Reply, RequestContext } from '../handler.js';

export type KindInput = EventInput & { tags: Tag[] };

/**
 * The hot path: membership from cache, store (the relay batches and answers only after
 * commit), push the stored event, encoded once, to every other socket of every member, ack.
 * A socket's stores run in the order it sent them.
 */
export async function storeEvent(ctx: RequestContext, input: KindInput): Promise<Reply> {
  return ctx.conn.inOrder(() => storeNow(ctx, input));
}

/** Stores and pushes; the caller keeps the socket's order. */
export async function storeNow({ conn, deps }: RequestContext, input: KindInput): Promise<Reply> {
  const { memberIds } = await access(deps, conn.userId, input.conversation_id, 'write');
  const stored = await deps.relayWrites.call('relay.storeEvent', {
    sender_id: conn.userId,
    conversation_id: input.conversation_id,
    kind: input.kind,
    content: input.content,
    tags: input.tags,
    cid: input.cid!,
  });
  if (!stored.duplicate) deps.router.deliver(memberIds, encode({ cmd: 'event', data: stored.event }), conn.id);
  const e = stored.event;
  const ack: Ack = { event_id: e.id, conversation_id: e.conversation_id, seq: e.seq, created_at: e.created_at, cid: e.cid, duplicate: stored.duplicate };
  return { cmd: 'ack', data: ack };
}
