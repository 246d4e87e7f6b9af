import { encode } from '@im/codec';
import type { TransientEvent } from '@im/protocol';
import { access } from '../access.js';
import type { Reply, RequestContext } from '../handler.js';
import type { KindInput } from './store.js';

/**
 * A read receipt moves the reader's watermark forward (capped at max_seq, never below the
 * join point) and is not stored as an event. In a single conversation both members' other
 * sockets hear of it; in a group only the reader's own.
 */
export async function readEvent({ conn, deps }: RequestContext, input: KindInput): Promise<Reply> {
  const { info, memberIds, joinSeq } = await access(deps, conn.userId, input.conversation_id, 'read');
  const { read_seq } = await deps.relay.call('relay.updateReadReceipt', {
    user_id: conn.userId,
    conversation_id: input.conversation_id,
    seq: Number(input.content),
    min_seq: joinSeq,
  });
  const pushed: TransientEvent = {
    conversation_id: input.conversation_id,
    sender_id: conn.userId,
    kind: input.kind,
    content: String(read_seq),
    tags: [],
    created_at: Date.now(),
  };
  deps.router.deliver(info.type === 'single' ? memberIds : [conn.userId], encode({ cmd: 'event', data: pushed }), conn.id);
  return { cmd: 'ack', data: { conversation_id: input.conversation_id, read_seq } };
}
