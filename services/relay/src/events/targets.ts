import { encode } from '@im/codec';
import type { Queryable } from '@im/db';
import { AppError, badRequest, conflict, forbidden, forwardSources, Kind, notFound, targetOf, tooLarge, type StoreEventInput, type Tag } from '@im/protocol';
import type { EventRow, EventsRepository } from './repository.js';

export interface TargetWindows {
  revokeMs: number;
  editMs: number;
  /** Most bytes a stored event may encode to, server-added tags included. */
  maxEventBytes: number;
}

/** Kinds that are messages: what revokes, reactions and forwards may point at. */
const MESSAGES: ReadonlySet<number> = new Set([Kind.TEXT, Kind.FILE, Kind.FORWARD]);

/** Kinds whose storing depends on, and changes, another event. */
export const TARGETED: ReadonlySet<number> = new Set([Kind.REVOKE, Kind.EDIT, Kind.REACTION, Kind.FORWARD]);

/**
 * The rules of revoke, edit, reaction and forward (contract 3.4) that need the stored
 * target, and their effect on it. Runs inside the transaction that stores the event, with
 * the target locked, so two changes to one event cannot both pass a check.
 */
export class Targets {
  constructor(
    private readonly events: EventsRepository,
    private readonly windows: TargetWindows,
  ) {}

  /** Checks the event against its target(s), applies its effect, and returns the tags to store. */
  async apply(item: StoreEventInput, now: number, tx: Queryable): Promise<Tag[]> {
    switch (item.kind) {
      case Kind.REVOKE: {
        const target = await this.check(item.kind, item.sender_id, item.conversation_id, targetOf(item.tags)!, now, tx);
        await this.events.markRevoked(target.conversation_id, target.seq, now, tx);
        return item.tags;
      }
      case Kind.EDIT: {
        const target = await this.check(item.kind, item.sender_id, item.conversation_id, targetOf(item.tags)!, now, tx);
        await this.events.setCurrentContent(target.conversation_id, target.seq, item.content, now, tx);
        return item.tags;
      }
      case Kind.REACTION: {
        const target = await this.check(item.kind, item.sender_id, item.conversation_id, targetOf(item.tags)!, now, tx);
        if (item.tags.some((t) => t[0] === 'remove')) await this.events.removeReaction(target.conversation_id, target.seq, item.sender_id, item.content, tx);
        else await this.events.addReaction(target.conversation_id, target.seq, item.sender_id, item.content, now, tx);
        return item.tags;
      }
      case Kind.FORWARD: {
        const tags = [...item.tags, ...(await this.sources(item.tags, tx))];
        this.checkSize(item, tags, now);
        return tags;
      }
      default:
        return item.tags;
    }
  }

  /** The checks of a revoke, edit or reaction, without storing anything. */
  async check(kind: number, senderId: string, conversationId: string, targetId: string, now: number, tx?: Queryable): Promise<EventRow> {
    const target = tx ? await this.events.lockById(targetId, tx) : await this.events.findById(targetId);
    if (!target) throw notFound('no such target event', 'tags');
    if (target.conversation_id !== conversationId) throw badRequest('the target is in another conversation', 'tags');
    const allowed = kind === Kind.EDIT ? target.kind === Kind.TEXT : MESSAGES.has(target.kind);
    if (!allowed) throw badRequest(`kind ${kind} cannot target an event of kind ${target.kind}`, 'tags');
    if (kind !== Kind.REACTION && target.sender_id !== senderId) throw forbidden('only the sender may change this event', 'tags');
    if (target.revoked_at !== null) throw conflict('the target was revoked', 'tags');
    const window = kind === Kind.REVOKE ? this.windows.revokeMs : kind === Kind.EDIT ? this.windows.editMs : undefined;
    if (window !== undefined && now - target.created_at > window) {
      throw new AppError('window_expired', `the target is older than ${Math.round(window / 1000)} s`, 'tags');
    }
    return target;
  }

  /**
   * A copy of each forwarded source, so recipients outside its conversation can see it. A
   * source named twice is copied once, and a source that is itself a forward is copied
   * without its own copies: forwarding a forward never nests them, so a forward's size is
   * bounded by its sources' own content and tags.
   */
  private async sources(tags: Tag[], tx: Queryable): Promise<Tag[]> {
    const ids = forwardSources(tags);
    const rows = new Map((await this.events.findByIds(ids, tx)).map((r) => [r.id, r]));
    return ids.map((id) => {
      const source = rows.get(id);
      if (!source) throw notFound(`no such source event ${id}`, 'tags');
      if (source.revoked_at !== null) throw conflict(`the source ${id} was revoked`, 'tags');
      const content = source.current_content ?? source.content;
      const ownTags = source.tags.filter((t) => t[0] !== 'src');
      return ['src', source.id, String(source.kind), source.sender_id, String(source.created_at), content, JSON.stringify(ownTags)];
    });
  }

  /** Refuses an event that would encode to more than the stored-event limit (contract 3.4). */
  private checkSize(item: StoreEventInput, tags: Tag[], now: number): void {
    const bytes = encode({
      id: '0'.repeat(64),
      conversation_id: item.conversation_id,
      seq: Number.MAX_SAFE_INTEGER,
      sender_id: item.sender_id,
      kind: item.kind,
      content: item.content,
      tags,
      cid: item.cid,
      created_at: now,
    }).byteLength;
    if (bytes > this.windows.maxEventBytes) throw tooLarge(`the event would be ${bytes} bytes stored; at most ${this.windows.maxEventBytes} are allowed`, 'tags');
  }
}
