import { badRequest } from '@im/protocol';

/** Where a page of get_conversations ended: the ordering key of its last conversation. */
export interface ConversationCursor {
  pinned: boolean;
  updated_at: number;
  conversation_id: string;
}

/** Opaque to clients: base64url of the key. */
export function encodeCursor(c: ConversationCursor): string {
  return Buffer.from(JSON.stringify([c.pinned ? 1 : 0, c.updated_at, c.conversation_id])).toString('base64url');
}

export function decodeCursor(text: string, field = 'before'): ConversationCursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('before is not a cursor this server gave out', field);
  }
  if (
    !Array.isArray(value) ||
    value.length !== 3 ||
    (value[0] !== 0 && value[0] !== 1) ||
    !Number.isSafeInteger(value[1]) ||
    typeof value[2] !== 'string' ||
    value[2].length === 0 ||
    value[2].length > 64
  ) {
    throw badRequest('before is not a cursor this server gave out', field);
  }
  return { pinned: value[0] === 1, updated_at: value[1] as number, conversation_id: value[2] };
}

/** The order of get_conversations: pinned first, newest activity first, then by id. */
export function compareKeys(a: ConversationCursor, b: ConversationCursor): number {
  if (a.pinned !== b.pinned) return a.pinned ? -1 : 1;
  if (a.updated_at !== b.updated_at) return b.updated_at - a.updated_at;
  return a.conversation_id < b.conversation_id ? -1 : a.conversation_id > b.conversation_id ? 1 : 0;
}
