import { applyChange, Kind, type Conversation, type ImEvent } from '@im/client';

/** The conversation list's rules (contract 4 and 9), pure so they are unit-tested. */

/** Pinned first, then newest activity first; ties by id so the order is stable. */
export function sortConversations(list: readonly Conversation[]): Conversation[] {
  return [...list].sort(
    (a, b) =>
      Number(b.pinned ?? false) - Number(a.pinned ?? false) ||
      b.updated_at - a.updated_at ||
      (a.conversation_id < b.conversation_id ? -1 : a.conversation_id > b.conversation_id ? 1 : 0),
  );
}

/** Pages merged by id: a later copy of a conversation replaces an earlier one. */
export function mergeConversations(current: readonly Conversation[], incoming: readonly Conversation[]): Conversation[] {
  const byId = new Map(current.map((c) => [c.conversation_id, c]));
  for (const c of incoming) byId.set(c.conversation_id, c);
  return sortConversations([...byId.values()]);
}

const MESSAGE_KINDS: ReadonlySet<number> = new Set([Kind.TEXT, Kind.FILE, Kind.FORWARD]);

export interface ApplyContext {
  me: string;
  /** The conversation is open and visible: its messages count as read. */
  reading: boolean;
}

/**
 * One delivered event applied to its conversation's row: a message becomes the last one
 * and counts as unread when someone else sent it and it is not being read; an edit,
 * revoke or reaction of the last message updates its preview. Returns the row unchanged
 * (the same object) when nothing changes.
 */
export function applyEvent(conv: Conversation, e: ImEvent, ctx: ApplyContext): Conversation {
  if (e.conversation_id !== conv.conversation_id) return conv;
  let next: Conversation = conv;
  if (e.seq > conv.max_seq) next = { ...next, max_seq: e.seq };
  if (MESSAGE_KINDS.has(e.kind)) {
    if (conv.last_event && conv.last_event.seq >= e.seq) return next;
    const own = e.sender_id === ctx.me;
    const read = own || ctx.reading;
    next = {
      ...next,
      last_event: e,
      updated_at: Math.max(conv.updated_at, e.created_at),
      unread: read ? 0 : conv.unread + 1,
      read_seq: read ? Math.max(conv.read_seq, e.seq) : conv.read_seq,
    };
    return next;
  }
  const last = conv.last_event;
  const target = e.tags.find((t) => t[0] === 'e')?.[1];
  if (last && target === last.id && e.seq > last.seq) {
    const changed = applyChange(last, e);
    if (changed !== last) next = { ...next, last_event: changed as ImEvent };
    // A revoked message by someone else no longer counts as unread.
    if (e.kind === Kind.REVOKE && last.sender_id !== ctx.me && last.seq > conv.read_seq && next.unread > 0) next = { ...next, unread: next.unread - 1 };
  }
  return next;
}

/** The read watermark moved (kind 10 from one of the user's own devices). */
export function applyOwnRead(conv: Conversation, readSeq: number): Conversation {
  if (readSeq <= conv.read_seq) return conv;
  return { ...conv, read_seq: readSeq, unread: readSeq >= conv.max_seq ? 0 : conv.unread };
}

/** New preferences of a conversation (set here, or a `conversation_prefs` notice from another device). */
export function applyPrefs(conv: Conversation, prefs: { pinned?: boolean; muted?: boolean }): Conversation {
  const pinned = prefs.pinned ?? conv.pinned ?? false;
  const muted = prefs.muted ?? conv.muted ?? false;
  if (pinned === (conv.pinned ?? false) && muted === (conv.muted ?? false)) return conv;
  return { ...conv, pinned, muted };
}
