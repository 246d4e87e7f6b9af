import type { Db } from '@im/db';
import type { RelayParams, RelayResults } from '@im/protocol';
import type { z } from 'zod';
import { toEvent, type EventsRepository } from '../events/repository.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { SearchHit, SearchRepository } from './repository.js';
import { conversationHash, grams, keysOf, normalize, searchBody } from './text.js';

type SearchParams = z.output<(typeof RelayParams)['relay.searchEvents']>;

/** The order of results: created_at, then conversation_id, then seq, all descending. */
function newestFirst(a: SearchHit, b: SearchHit): number {
  return b.created_at - a.created_at || (a.conversation_id < b.conversation_id ? 1 : a.conversation_id > b.conversation_id ? -1 : 0) || b.seq - a.seq;
}

/**
 * Message search: the caller (the gateway) names every conversation the user may read now
 * with their join point; the relay never decides membership.
 */
export class SearchService {
  constructor(
    private readonly db: Db,
    private readonly search: SearchRepository,
    private readonly events: EventsRepository,
  ) {}

  async run(p: SearchParams): Promise<RelayResults['relay.searchEvents']> {
    if (p.conversations.length === 0 || (p.before !== undefined && p.after !== undefined && p.after >= p.before - 1)) {
      return { events: [], next_cursor: null };
    }
    const text = normalize(p.query);
    const filter = {
      userId: p.user_id,
      conversations: p.conversations,
      text,
      senderId: p.sender_id,
      kinds: p.kinds,
      before: p.before,
      after: p.after,
      cursor: p.cursor === undefined ? undefined : decodeCursor(p.cursor),
      limit: p.limit + 1,
    };
    const queryGrams = grams(text);
    // Both reads see one snapshot: a document the indexer moves in between is then found
    // in exactly one of them, never in neither.
    const [found, queued] = await this.db.transaction(
      async (tx) => [
        queryGrams.length > 0
          ? await this.search.indexed(filter, p.conversations.map((c) => keysOf(conversationHash(c.conversation_id), queryGrams)), tx)
          : await this.search.recent(filter, tx),
        await this.search.queued(filter, tx),
      ] as const,
      1,
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    );
    // Events not indexed yet are compared here, by the same rules the index follows.
    const fresh = queued.filter((e) => searchBody(e.kind, e.current_content ?? e.content, e.tags)?.includes(text));
    const hits = [...found, ...fresh].sort(newestFirst).slice(0, p.limit + 1);
    const page = hits.slice(0, p.limit);
    const last = page[page.length - 1];
    return {
      events: await this.load(page),
      next_cursor: hits.length > p.limit && last ? encodeCursor(last) : null,
    };
  }

  /** The page's events in their current state, in the page's order. */
  private async load(page: SearchHit[]) {
    if (page.length === 0) return [];
    const rows = await this.events.withReactions(await this.events.findByKeys(page));
    const byKey = new Map(rows.map((r) => [`${r.conversation_id}\u0000${r.seq}`, r]));
    return page.flatMap((h) => {
      const row = byKey.get(`${h.conversation_id}\u0000${h.seq}`);
      // A revoke deletes the search document in the same transaction; this only guards
      // against one committed between the two reads.
      return row && row.revoked_at === null ? [toEvent(row)] : [];
    });
  }
}
