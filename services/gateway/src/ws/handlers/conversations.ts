import type { Conversation, ConversationState, UserConversation } from '@im/protocol';
import type { GatewayDeps } from '../handler.js';

/** Joins seaking's view of a user's conversations with the relay's counters. */
export async function withCounters(deps: GatewayDeps, userId: string, list: UserConversation[]): Promise<Conversation[]> {
  if (list.length === 0) return [];
  const { states } = await deps.relay.call('relay.getConversationStates', {
    user_id: userId,
    conversations: list.map((c) => ({ conversation_id: c.conversation_id, join_seq: c.join_seq })),
  });
  const byId = new Map<string, ConversationState>(states.map((s) => [s.conversation_id, s]));
  return list.map((c) => toConversation(c, byId.get(c.conversation_id)));
}

function toConversation(c: UserConversation, s: ConversationState | undefined): Conversation {
  const conversation: Conversation = {
    conversation_id: c.conversation_id,
    type: c.type,
    name: c.name,
    max_seq: s?.max_seq ?? 0,
    read_seq: s?.read_seq ?? c.join_seq,
    unread: s?.unread ?? 0,
    last_event: s?.last_event ?? null,
    updated_at: s?.last_event?.created_at ?? c.created_at,
    pinned: c.pinned,
    muted: c.muted,
  };
  if (c.peer_user_id) conversation.peer_user_id = c.peer_user_id;
  if (c.group_id) conversation.group_id = c.group_id;
  return conversation;
}
