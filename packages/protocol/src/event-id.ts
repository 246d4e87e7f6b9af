import type { Tag } from './models.js';

/**
 * The canonical text whose SHA-256 is an event's id (contract 3.3). Hashing itself is left
 * to the caller so that this package stays free of platform APIs.
 */
export function eventIdPreimage(e: {
  sender_id: string;
  conversation_id: string;
  created_at: number;
  kind: number;
  tags: Tag[];
  content: string;
}): string {
  return JSON.stringify([0, e.sender_id, e.conversation_id, e.created_at, e.kind, e.tags, e.content]);
}
