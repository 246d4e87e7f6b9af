import { badRequest } from '@im/protocol';

/** Where a newest-first page of search results stopped: the last event returned. */
export interface SearchPosition {
  created_at: number;
  conversation_id: string;
  seq: number;
}

export function encodeCursor(p: SearchPosition): string {
  return Buffer.from(JSON.stringify([p.created_at, p.conversation_id, p.seq])).toString('base64url');
}

/** The position a cursor names; anything this server did not hand out is `bad_request`. */
export function decodeCursor(cursor: string): SearchPosition {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 3 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string' && v[1].length <= 64 && Number.isSafeInteger(v[2])) {
      return { created_at: v[0] as number, conversation_id: v[1], seq: v[2] as number };
    }
  } catch {
    // Falls through to the refusal.
  }
  throw badRequest('cursor is not one this server handed out', 'cursor');
}
