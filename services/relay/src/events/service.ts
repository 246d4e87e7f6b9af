import { isUniqueViolation, type Db, type Queryable } from '@im/db';
import { AppError, badRequest, checkEventShape, isPersistedKind, notFound, UNREAD_KINDS, utf8Length, type ImEvent, type RelayResults, type StoreEventInput, type Tag } from '@im/protocol';
import type { z } from 'zod';
import type { RelayParams } from '@im/protocol';
import { CommitQueue, ItemFailure } from './commit-queue.js';
import { computeEventId } from './event-id.js';
import { toEvent, type EventRow, type EventsRepository, type NewEvent, type StoredRef } from './repository.js';
import { TARGETED, type Targets } from './targets.js';

export type StoreResult = RelayResults['relay.storeEvent'];
type RelayParamsOf<M extends keyof typeof RelayParams> = z.output<(typeof RelayParams)[M]>;

export interface EventsOptions {
  maxBatch: number;
  concurrency: number;
  onBatch?: (size: number) => void;
}

const keyOf = (e: { sender_id: string; cid: string }) => `${e.sender_id}\u0000${e.cid}`;

/** Most bytes (roughly, as encoded) of events in one sync page; at least one event always fits. */
export const PAGE_BYTES = 512 * 1024;

function approxBytes(row: EventRow): number {
  let n = 200 + utf8Length(row.current_content ?? row.content);
  for (const tag of row.tags) for (const s of tag) n += 3 + utf8Length(s);
  return n;
}

/**
 * The events of a page (ascending) that fit in PAGE_BYTES: from the start when reading
 * forward (`head`, after a seq), from the end when reading back (`tail`, before a seq), so
 * the page always joins on to where the reader is.
 */
export function fitPage(rows: EventRow[], keep: 'head' | 'tail'): EventRow[] {
  let total = 0;
  if (keep === 'head') {
    let i = 0;
    for (; i < rows.length; i++) {
      total += approxBytes(rows[i]!);
      if (total > PAGE_BYTES && i > 0) break;
    }
    return i === rows.length ? rows : rows.slice(0, i);
  }
  let i = rows.length - 1;
  for (; i >= 0; i--) {
    total += approxBytes(rows[i]!);
    if (total > PAGE_BYTES && i < rows.length - 1) break;
  }
  return i < 0 ? rows : rows.slice(i + 1);
}

/**
 * The event store. Writes go through a group-commit queue: concurrent stores share one
 * transaction, yet each caller hears back only after that transaction committed.
 */
export class EventsService {
  private readonly queue: CommitQueue<StoreEventInput, StoreResult>;

  constructor(
    private readonly db: Db,
    private readonly events: EventsRepository,
    private readonly targets: Targets,
    options: EventsOptions,
  ) {
    this.queue = new CommitQueue((items) => this.writeBatch(items), { ...options, keyOf: (item) => item.conversation_id });
  }

  /** Stores waiting for a commit slot (0 unless the store path is saturated). */
  get waiting(): number {
    return this.queue.waitingForSlot;
  }

  async store(input: StoreEventInput): Promise<StoreResult> {
    checkEventShape(input);
    if (!isPersistedKind(input.kind)) throw badRequest(`kind ${input.kind} is not stored`, 'kind');
    return this.queue.push(input);
  }

  private async writeBatch(items: StoreEventInput[]): Promise<Array<StoreResult | ItemFailure>> {
    try {
      return await this.writeWithRetry(items);
    } catch (err) {
      // The database away fails everyone alike: retrying one by one would only repeat it.
      if (items.length === 1 || (err instanceof AppError && err.code === 'unavailable')) throw err;
      // Something in the batch cannot be stored. Store the items one by one, so only the
      // offender fails and everyone else's events still commit.
      const results: Array<StoreResult | ItemFailure> = [];
      for (const item of items) {
        try {
          results.push(...(await this.writeWithRetry([item])));
        } catch (itemErr) {
          results.push(new ItemFailure(itemErr));
        }
      }
      return results;
    }
  }

  private async writeWithRetry(items: StoreEventInput[]): Promise<Array<StoreResult | ItemFailure>> {
    // Events that change no other event take the one-statement path.
    const plain = items.every((i) => !TARGETED.has(i.kind));
    for (let attempt = 1; ; attempt++) {
      try {
        if (plain) return await this.writePlain(items);
        return await this.db.transaction((tx) => this.writeInTransaction(items, tx));
      } catch (err) {
        // Another relay committed the same (sender, cid) between our lookup and insert:
        // the retry finds it and answers with it.
        if (attempt < 3 && isUniqueViolation(err, 'event_cids_pkey')) continue;
        throw err;
      }
    }
  }

  private async writePlain(items: StoreEventInput[]): Promise<StoreResult[]> {
    const firstOf = new Map<string, number>();
    const primaries: StoreEventInput[] = [];
    for (const item of items) {
      if (firstOf.has(keyOf(item))) continue;
      firstOf.set(keyOf(item), primaries.length);
      primaries.push(item);
    }
    const refs = await this.events.storePlain(primaries, Date.now());
    const byOrd = new Array<StoredRef>(primaries.length);
    for (const r of refs) byOrd[r.ord] = r;
    // An event stored earlier is answered as it was stored (rare: a resend).
    const dupRows = refs.some((r) => r.duplicate) ? await this.events.findBySenderCids(primaries.filter((_, n) => byOrd[n]!.duplicate)) : [];
    const earlier = new Map(dupRows.map((r) => [keyOf(r), r]));
    const seen = new Set<string>();
    return items.map((item) => {
      const key = keyOf(item);
      const ref = byOrd[firstOf.get(key)!]!;
      // A second copy within the batch is a duplicate of the first.
      const duplicate = ref.duplicate || seen.has(key);
      seen.add(key);
      const stored = earlier.get(key);
      if (stored) return { event: toEvent(stored), duplicate };
      const first = primaries[firstOf.get(key)!]!;
      const event: ImEvent = {
        id: ref.id,
        conversation_id: ref.conversation_id,
        seq: ref.seq,
        sender_id: first.sender_id,
        kind: first.kind,
        content: first.content,
        tags: first.tags,
        cid: first.cid,
        created_at: ref.created_at,
      };
      return { event, duplicate };
    });
  }

  private async writeInTransaction(items: StoreEventInput[], tx: Queryable): Promise<Array<StoreResult | ItemFailure>> {
    const results: Array<StoreResult | ItemFailure | undefined> = new Array(items.length);
    const firstOf = new Map<string, number>();
    const copies: Array<[number, number]> = [];
    const primaries: number[] = [];
    items.forEach((item, i) => {
      const first = firstOf.get(keyOf(item));
      if (first === undefined) {
        firstOf.set(keyOf(item), i);
        primaries.push(i);
      } else copies.push([i, first]);
    });

    const existing = new Map<string, EventRow>();
    for (const row of await this.events.findBySenderCids(primaries.map((i) => items[i]!), tx)) existing.set(keyOf(row), row);

    const fresh: number[] = [];
    const counts = new Map<string, number>();
    const storedTags = new Map<number, Tag[]>();
    const now = Date.now();
    for (const i of primaries) {
      const item = items[i]!;
      const row = existing.get(keyOf(item));
      if (row) {
        results[i] = { event: toEvent(row), duplicate: true };
        continue;
      }
      if (TARGETED.has(item.kind)) {
        // Checked against its target and applied in this transaction; a refusal is this
        // item's alone.
        try {
          storedTags.set(i, await this.targets.apply(item, now, tx));
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          results[i] = new ItemFailure(err);
          continue;
        }
      }
      fresh.push(i);
      counts.set(item.conversation_id, (counts.get(item.conversation_id) ?? 0) + 1);
    }

    if (fresh.length > 0) {
      const reserved = await this.events.reserveSeqs(counts, now, tx);
      // Per conversation: the first seq and first time of this batch's events.
      const next = new Map<string, { seq: number; at: number }>();
      for (const [c, n] of counts) {
        const r = reserved.get(c)!;
        next.set(c, { seq: r.max_seq - n + 1, at: r.last_at - n + 1 });
      }
      const rows: NewEvent[] = fresh.map((i) => {
        const item = items[i]!;
        const slot = next.get(item.conversation_id)!;
        const seq = slot.seq++;
        const created_at = slot.at++;
        const tags = storedTags.get(i) ?? item.tags;
        const base = { conversation_id: item.conversation_id, sender_id: item.sender_id, created_at, kind: item.kind, tags, content: item.content };
        return { ...base, seq, id: computeEventId(base), cid: item.cid };
      });
      await this.events.insertMany(rows, tx);
      const lastMessages = new Map<string, { conversation_id: string; seq: number; created_at: number }>();
      for (const r of rows) if (UNREAD_KINDS.has(r.kind)) lastMessages.set(r.conversation_id, r);
      await this.events.setLastMessages([...lastMessages.values()], tx);
      await this.events.indexMany(rows, tx);
      fresh.forEach((i, n) => (results[i] = { event: toEvent({ ...rows[n]!, edited_at: null, revoked_at: null, current_content: null }), duplicate: false }));
    }

    for (const [i, first] of copies) {
      const original = results[first]!;
      results[i] = original instanceof ItemFailure ? original : { event: original.event, duplicate: true };
    }
    return results as Array<StoreResult | ItemFailure>;
  }

  async sync(p: { conversation_id: string; min_seq: number; user_id?: string | undefined; after_seq?: number | undefined; before_seq?: number | undefined; limit: number }): Promise<RelayResults['relay.syncEvents']> {
    const maxSeq = await this.events.maxSeq(p.conversation_id);
    let rows: EventRow[];
    let hasMore: boolean;
    if (p.after_seq !== undefined) {
      rows = await this.events.after(p.conversation_id, Math.max(p.after_seq, p.min_seq), p.limit + 1, p.user_id);
      hasMore = rows.length > p.limit;
      rows = rows.slice(0, p.limit);
    } else {
      rows = await this.events.before(p.conversation_id, p.before_seq ?? maxSeq + 1, p.min_seq, p.limit + 1, p.user_id);
      hasMore = rows.length > p.limit;
      rows = rows.slice(0, p.limit).reverse();
    }
    // A page stays small enough to send at once: past PAGE_BYTES the rest waits for the next page.
    const kept = fitPage(rows, p.after_seq !== undefined ? 'head' : 'tail');
    if (kept.length < rows.length) hasMore = true;
    return { events: (await this.events.withReactions(kept)).map(toEvent), has_more: hasMore, max_seq: maxSeq };
  }

  async query(p: { conversation_id: string; min_seq: number; kinds?: number[] | undefined; since?: number | undefined; until?: number | undefined; limit: number }): Promise<{ events: ImEvent[] }> {
    const rows = await this.events.query(p.conversation_id, { floor: p.min_seq, kinds: p.kinds, since: p.since, until: p.until, limit: p.limit });
    return { events: (await this.events.withReactions(rows.reverse())).map(toEvent) };
  }

  async states(userId: string, conversations: Array<{ conversation_id: string; join_seq: number }>): Promise<RelayResults['relay.getConversationStates']> {
    const rows = await this.events.states(userId, conversations);
    return {
      states: rows.map((r) => ({
        conversation_id: r.conversation_id,
        max_seq: r.max_seq,
        read_seq: r.read_seq,
        unread: r.unread,
        // row_to_json leaves bigints as JSON numbers, which is what the event needs.
        last_event: r.last_event ? toEvent(r.last_event) : null,
      })),
    };
  }

  async rank(p: RelayParamsOf<'relay.rankConversations'>): Promise<RelayResults['relay.rankConversations']> {
    return { ranked: await this.events.rankConversations(p.conversations, p.after, p.limit) };
  }

  async get(eventId: string): Promise<{ event: ImEvent }> {
    const row = await this.events.findById(eventId);
    if (!row) throw notFound('no such event', 'event_id');
    return { event: toEvent((await this.events.withReactions([row]))[0]!) };
  }

  /** Events by id in their current state; unknown ids are left out. */
  async getMany(eventIds: string[]): Promise<{ events: ImEvent[] }> {
    const rows = await this.events.findByIds([...new Set(eventIds)]);
    return { events: (await this.events.withReactions(rows)).map(toEvent) };
  }

  async validate(kind: number, senderId: string, conversationId: string, targetId: string): Promise<{ ok: true }> {
    await this.targets.check(kind, senderId, conversationId, targetId, Date.now());
    return { ok: true };
  }

  /** Hides an event from one member's own view (idempotent). */
  async hide(userId: string, conversationId: string, seq: number): Promise<{ hidden: boolean }> {
    return { hidden: await this.events.hide(conversationId, userId, seq, Date.now()) };
  }

  async readReceipts(conversationId: string, seq: number, userIds: string[]): Promise<RelayResults['relay.getReadReceipts']> {
    return this.events.readBy(conversationId, seq, userIds);
  }

  async fileReferenced(fileId: string, conversations: Array<{ conversation_id: string; join_seq: number }>): Promise<{ referenced: boolean }> {
    return { referenced: await this.events.fileReferenced(fileId, conversations) };
  }

  async updateReadReceipt(userId: string, conversationId: string, seq: number, floor: number): Promise<{ conversation_id: string; read_seq: number }> {
    return { conversation_id: conversationId, read_seq: await this.events.advanceReadSeq(conversationId, userId, seq, floor, Date.now()) };
  }
}
