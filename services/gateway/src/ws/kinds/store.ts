import { encode } from '@im/codec';
import type { Ack, EventInput, RelayResults, Tag } from '@im/protocol';
import { access } from '../access.js';
import type { Reply, RequestContext } from '../handler.js';

export type KindInput = EventInput & { tags: Tag[] };

/** A store that has left for the relay, in the socket's order, and whom to push it to. */
export interface Issued {
  call: Promise<RelayResults['relay.storeEvent']>;
  memberIds: string[];
}

/**
 * The hot path: membership from cache, store (the relay batches and answers only after
 * commit), push the stored event, encoded once, to every other socket of every member, ack.
 * A socket's stores leave in the order it sent them, and several may be under way at once:
 * only the checks before each call are taken one after another, not the round trips.
 */
export async function storeEvent(ctx: RequestContext, input: KindInput): Promise<Reply> {
  const issued = await ctx.conn.inOrder(() => issueStore(ctx, input));
  return finish(ctx, issued);
}

/** Checks the sender may write and sends the store; the caller keeps the socket's order. */
export async function issueStore({ conn, deps }: RequestContext, input: KindInput): Promise<Issued> {
  const { memberIds } = await access(deps, conn.userId, input.conversation_id, 'write');
  const call = deps.relayWrites.call('relay.storeEvent', {
    sender_id: conn.userId,
    conversation_id: input.conversation_id,
    kind: input.kind,
    content: input.content,
    tags: input.tags,
    cid: input.cid!,
  });
  // Observed here so that a failure is never "unhandled" while it waits for its turn.
  call.catch(() => undefined);
  return { call, memberIds };
}

/** Waits for the commit, pushes the new event to the other members' sockets, acks. */
export async function finish({ conn, deps }: RequestContext, issued: Issued): Promise<Reply> {
  const stored = await issued.call;
  if (!stored.duplicate) deps.router.deliver(issued.memberIds, encode({ cmd: 'event', data: stored.event }), conn.id);
  const e = stored.event;
  const ack: Ack = { event_id: e.id, conversation_id: e.conversation_id, seq: e.seq, created_at: e.created_at, cid: e.cid, duplicate: stored.duplicate };
  return { cmd: 'ack', data: ack };
}
