import { forbidden, type ConversationInfo } from '@im/protocol';
import type { GatewayDeps } from './handler.js';

export interface Access {
  info: ConversationInfo;
  memberIds: string[];
  joinSeq: number;
}

/**
 * The caller's standing in a conversation, from the members cache. Unknown conversations
 * are `not_found` (from seaking); non-members `forbidden`; writing to a read-only one
 * `forbidden`.
 */
export async function access(deps: GatewayDeps, userId: string, conversationId: string, mode: 'read' | 'write'): Promise<Access> {
  const { info, memberIds, joinSeqs } = await deps.members.get(conversationId);
  const joinSeq = joinSeqs.get(userId);
  if (joinSeq === undefined) throw forbidden('not a member of this conversation', 'conversation_id');
  if (mode === 'write' && info.read_only) throw forbidden('this conversation is read-only', 'conversation_id');
  return { info, memberIds, joinSeq };
}
