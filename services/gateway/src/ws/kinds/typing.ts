import { encode } from '@im/codec';
import type { TransientEvent } from '@im/protocol';
import { access } from '../access.js';
import { result, type Reply, type RequestContext } from '../handler.js';
import type { KindInput } from './store.js';

/**
 * Typing is ephemeral: never stored, relayed only to other members' sockets that
 * subscribed to the conversation, at most once a second per socket and conversation
 * (extras are dropped silently).
 */
export async function typingEvent({ conn, deps }: RequestContext, input: KindInput): Promise<Reply> {
  const { memberIds } = await access(deps, conn.userId, input.conversation_id, 'write');
  if (conn.allowTyping(input.conversation_id, Date.now())) {
    const others = memberIds.filter((id) => id !== conn.userId);
    const pushed: TransientEvent = { conversation_id: input.conversation_id, sender_id: conn.userId, kind: input.kind, content: '', tags: [], created_at: Date.now() };
    deps.router.deliver(others, encode({ cmd: 'event', data: pushed }), conn.id, input.conversation_id);
  }
  return result();
}
