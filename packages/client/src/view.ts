import { Kind, type ImEvent } from '@im/protocol';

/**
 * The app's local view of messages: per conversation, the messages (kinds 1, 3, 13) in
 * their current state, with revokes (5), edits (7) and reactions (12) applied, as a query
 * would return them (contract 3.4). Pure: events in, snapshots out.
 *
 * Every message remembers the seq up to which its state is known (`asOf`): a pushed
 * message is as of its own seq, one from a sync page as of that page's max_seq. A change
 * with a seq at or below it is already part of the state and is not applied again.
 * Snapshots are immutable; a change replaces the message object, so a UI can compare
 * references.
 */

export type ViewMessage = Readonly<ImEvent>;

const MESSAGE_KINDS: ReadonlySet<number> = new Set([Kind.TEXT, Kind.FILE, Kind.FORWARD]);
const CHANGE_KINDS: ReadonlySet<number> = new Set([Kind.REVOKE, Kind.EDIT, Kind.REACTION]);

export function isMessageKind(kind: number): boolean {
  return MESSAGE_KINDS.has(kind);
}

export function isChangeKind(kind: number): boolean {
  return CHANGE_KINDS.has(kind);
}

/** The event a revoke, edit or reaction is about: its `["e", id]` tag. */
export function targetOf(event: Pick<ImEvent, 'tags'>): string | undefined {
  return event.tags.find((t) => t[0] === 'e')?.[1];
}

/** The state of a message after one change; the message itself when the change does not apply. */
export function applyChange(message: ViewMessage, change: ImEvent): ViewMessage {
  if (message.revoked_at !== undefined) return message;
  switch (change.kind) {
    case Kind.REVOKE: {
      const { reactions: _dropped, ...rest } = message;
      return { ...rest, content: '', tags: [], revoked_at: change.created_at };
    }
    case Kind.EDIT:
      if (message.kind !== Kind.TEXT) return message;
      return { ...message, content: change.content, edited_at: change.created_at };
    case Kind.REACTION: {
      const remove = change.tags.some((t) => t[0] === 'remove');
      const emoji = change.content;
      const users = message.reactions?.[emoji] ?? [];
      const has = users.includes(change.sender_id);
      if (remove === !has) return message;
      const next = { ...(message.reactions ?? {}) };
      if (remove) {
        const left = users.filter((u) => u !== change.sender_id);
        if (left.length > 0) next[emoji] = left;
        else delete next[emoji];
      } else {
        next[emoji] = [...users, change.sender_id];
      }
      const { reactions: _old, ...rest } = message;
      return Object.keys(next).length > 0 ? { ...rest, reactions: next } : rest;
    }
    default:
      return message;
  }
}

interface Entry {
  message: ViewMessage;
  asOf: number;
}

class ConversationMessages {
  readonly bySeq = new Map<number, Entry>();
  private sorted: ViewMessage[] | undefined;

  list(): readonly ViewMessage[] {
    this.sorted ??= [...this.bySeq.values()].map((e) => e.message).sort((a, b) => a.seq - b.seq);
    return this.sorted;
  }

  touch(): void {
    this.sorted = undefined;
  }
}

export interface ViewOptions {
  /** Messages kept per conversation; the oldest go first (default 2000). */
  maxPerConversation?: number;
}

export class LocalView {
  private readonly conversations = new Map<string, ConversationMessages>();
  private readonly byId = new Map<string, { conversation_id: string; seq: number }>();
  private readonly max: number;

  constructor(options: ViewOptions = {}) {
    this.max = options.maxPerConversation ?? 2000;
  }

  /**
   * Takes one event, pushed or synced, in seq order per conversation or not. `asOf` is the
   * seq up to which its state is current (its own seq for a push, max_seq for a sync page).
   * Returns the messages whose state changed.
   */
  apply(event: ImEvent, asOf: number = event.seq): ViewMessage[] {
    if (isMessageKind(event.kind)) return this.put(event, asOf);
    if (isChangeKind(event.kind)) {
      const target = targetOf(event);
      const where = target === undefined ? undefined : this.byId.get(target);
      if (!where || where.conversation_id !== event.conversation_id) return [];
      const conv = this.conversations.get(where.conversation_id)!;
      const entry = conv.bySeq.get(where.seq)!;
      if (event.seq <= entry.asOf) return [];
      const next = applyChange(entry.message, event);
      entry.asOf = event.seq;
      if (next === entry.message) return [];
      entry.message = next;
      conv.touch();
      return [next];
    }
    return [];
  }

  /** The messages of a conversation in their current state, ascending by seq. */
  messages(conversationId: string): readonly ViewMessage[] {
    return this.conversations.get(conversationId)?.list() ?? [];
  }

  /** One message by event id, if the view holds it. */
  message(eventId: string): ViewMessage | undefined {
    const where = this.byId.get(eventId);
    return where && this.conversations.get(where.conversation_id)?.bySeq.get(where.seq)?.message;
  }

  /** Forgets a conversation (left group, hidden chat). */
  drop(conversationId: string): void {
    const conv = this.conversations.get(conversationId);
    if (!conv) return;
    for (const e of conv.bySeq.values()) this.byId.delete(e.message.id);
    this.conversations.delete(conversationId);
  }

  /** Forgets one message (hidden with hide_event). */
  remove(eventId: string): ViewMessage | undefined {
    const where = this.byId.get(eventId);
    if (!where) return undefined;
    const conv = this.conversations.get(where.conversation_id)!;
    const entry = conv.bySeq.get(where.seq);
    conv.bySeq.delete(where.seq);
    this.byId.delete(eventId);
    conv.touch();
    return entry?.message;
  }

  private put(event: ImEvent, asOf: number): ViewMessage[] {
    let conv = this.conversations.get(event.conversation_id);
    if (!conv) this.conversations.set(event.conversation_id, (conv = new ConversationMessages()));
    const existing = conv.bySeq.get(event.seq);
    if (existing && existing.asOf >= asOf) return [];
    conv.bySeq.set(event.seq, { message: event, asOf: Math.max(asOf, event.seq) });
    this.byId.set(event.id, { conversation_id: event.conversation_id, seq: event.seq });
    conv.touch();
    if (conv.bySeq.size > this.max) {
      const oldest = Math.min(...conv.bySeq.keys());
      const gone = conv.bySeq.get(oldest)!;
      conv.bySeq.delete(oldest);
      this.byId.delete(gone.message.id);
      if (oldest === event.seq) return [];
    }
    return [event];
  }
}
