import crypto from 'node:crypto';
import { eventIdPreimage, type Tag } from '@im/protocol';

/** Lowercase hex SHA-256 of the contract's canonical array (contract 3.3). */
export function computeEventId(e: { sender_id: string; conversation_id: string; created_at: number; kind: number; tags: Tag[]; content: string }): string {
  return crypto.createHash('sha256').update(eventIdPreimage(e), 'utf8').digest('hex');
}
