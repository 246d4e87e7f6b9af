import { z } from 'zod';
import { Cid, Cursor, EventId, Id, MessageQuery, ReadableConversations, SearchKinds, Seq, TagsSchema } from './common.js';
import { Limits } from './limits.js';
import type { ImEvent } from './models.js';

/** relay's JSON-RPC methods (contract section 7): params schemas and result types. */

export const StoreEventParams = z.object({
  sender_id: Id,
  conversation_id: Id,
  kind: z.number().int().min(0).max(65535),
  content: z.string(),
  tags: TagsSchema.default([]),
  cid: Cid,
});


/** Would this sender's revoke or edit of the target be accepted now? */
const TargetCheck = z.object({ sender_id: Id, conversation_id: Id, target_id: EventId });

const Window = {
  conversation_id: Id,
  /** Events at or below this seq are invisible to the reader (their join point). */
  min_seq: Seq.default(0),
};

const Millis = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const RelayParams = {
  'relay.storeEvent': StoreEventParams,
  'relay.getEvent': z.object({ event_id: EventId }),
  'relay.syncEvents': z
    .object({
      ...Window,
      /** The reader: events they hid are left out (and do not count against `limit`). */
      user_id: Id.optional(),
      after_seq: Seq.optional(),
      before_seq: Seq.min(1).optional(),
      limit: z.number().int().min(1).max(Limits.syncMaxLimit).default(Limits.syncDefaultLimit),
    })
    .refine((d) => d.after_seq === undefined || d.before_seq === undefined, {
      message: 'give after_seq or before_seq, not both',
      path: ['before_seq'],
    }),
  'relay.queryEvents': z.object({
    ...Window,
    kinds: z.array(z.number().int().min(0).max(65535)).max(16).optional(),
    since: z.number().int().min(0).optional(),
    until: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(Limits.syncMaxLimit).default(Limits.syncDefaultLimit),
  }),
  'relay.getEvents': z.object({ event_ids: z.array(EventId).min(1).max(200) }),
  'relay.updateReadReceipt': z.object({ user_id: Id, conversation_id: Id, seq: Seq, min_seq: Seq.default(0) }),
  'relay.validateRevoke': TargetCheck,
  'relay.validateEdit': TargetCheck,
  /** One chunk of a user's conversations, ordered by activity: the first `limit` after the cursor. */
  'relay.rankConversations': z.object({
    user_id: Id,
    conversations: z
      .array(z.object({ conversation_id: Id, join_seq: Seq, created_at: z.number().int().min(0), pinned: z.boolean() }))
      .max(10000),
    after: z.object({ pinned: z.boolean(), updated_at: z.number().int(), conversation_id: Id }).optional(),
    limit: z.number().int().min(1).max(1000),
  }),
  'relay.getConversationStates': z.object({
    user_id: Id,
    conversations: ReadableConversations,
  }),
  'relay.searchEvents': z.object({
    user_id: Id,
    query: MessageQuery,
    /** Every conversation the user may read now, with their join point (from seaking). */
    conversations: ReadableConversations,
    sender_id: Id.optional(),
    kinds: SearchKinds.optional(),
    before: Millis.optional(),
    after: Millis.optional(),
    limit: z.number().int().min(1).max(Limits.searchMaxLimit).default(Limits.searchDefaultLimit),
    cursor: Cursor.optional(),
  }),
  'relay.hideEvent': z.object({ user_id: Id, conversation_id: Id, seq: Seq.min(1) }),
  'relay.getReadReceipts': z.object({
    conversation_id: Id,
    seq: Seq.min(1),
    /** The members at that seq (joined before it). */
    user_ids: z.array(Id).max(Limits.conversationListMax),
  }),
  'relay.findFileReference': z.object({ file_id: Id, conversations: ReadableConversations }),
} as const;

/** A conversation's counters as one member sees them. */
export interface ConversationState {
  conversation_id: string;
  max_seq: number;
  read_seq: number;
  unread: number;
  last_event: ImEvent | null;
}

export type StoreEventInput = z.output<typeof StoreEventParams>;

export interface RelayResults {
  'relay.storeEvent': { event: ImEvent; duplicate: boolean };
  'relay.getEvent': { event: ImEvent };
  'relay.syncEvents': { events: ImEvent[]; has_more: boolean; max_seq: number };
  'relay.queryEvents': { events: ImEvent[] };
  'relay.getConversationStates': { states: ConversationState[] };
  'relay.rankConversations': { ranked: Array<{ conversation_id: string; pinned: boolean; updated_at: number }> };
  'relay.getEvents': { events: ImEvent[] };
  'relay.updateReadReceipt': { conversation_id: string; read_seq: number };
  'relay.validateRevoke': { ok: true };
  'relay.validateEdit': { ok: true };
  'relay.searchEvents': { events: ImEvent[]; next_cursor: string | null };
  'relay.hideEvent': { hidden: boolean };
  /** `read`: those whose watermark is at or past `seq`; `max_seq` of the conversation. */
  'relay.getReadReceipts': { read: string[]; max_seq: number };
  /** Whether a kind 3 event in one of the conversations, above its join point, names the file. */
  'relay.findFileReference': { referenced: boolean };
}

export type RelayMethod = keyof typeof RelayParams & keyof RelayResults;
