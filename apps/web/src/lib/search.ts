import { Kind, type ImEvent } from '@im/client';
import { tagValue } from './tags.js';

/** Showing message search results (search_messages): pure helpers for the views. */

export interface Part {
  text: string;
  hit: boolean;
}

/** The text a result matched on: a message's text; a file's name and caption. */
export function resultText(e: Pick<ImEvent, 'kind' | 'content' | 'tags'>): string {
  if (e.kind === Kind.FILE) {
    const name = tagValue(e.tags, 'name') ?? 'File';
    return e.content ? `${name} · ${e.content}` : name;
  }
  return e.content;
}

/**
 * A window of at most `max` characters around the first match, with "…" where cut, so a
 * hit deep in a long message still shows.
 */
export function snippet(text: string, query: string, max = 140): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const at = query ? flat.toLowerCase().indexOf(query.trim().toLowerCase()) : -1;
  const start = at < 0 ? 0 : Math.max(0, Math.min(at - Math.floor(max / 3), flat.length - max));
  const body = flat.slice(start, start + max);
  return `${start > 0 ? '…' : ''}${body}${start + max < flat.length ? '…' : ''}`;
}

/** The text split where it matches the query (case-insensitive), to mark the hits. */
export function highlight(text: string, query: string): Part[] {
  const q = query.trim().toLowerCase();
  if (!q) return text ? [{ text, hit: false }] : [];
  const lower = text.toLowerCase();
  // Case folding can change lengths (e.g. "İ"): mark nothing rather than the wrong letters.
  if (lower.length !== text.length) return [{ text, hit: false }];
  const parts: Part[] = [];
  let from = 0;
  for (let at = lower.indexOf(q); at >= 0; at = lower.indexOf(q, at + q.length)) {
    if (at > from) parts.push({ text: text.slice(from, at), hit: false });
    parts.push({ text: text.slice(at, at + q.length), hit: true });
    from = at + q.length;
  }
  if (from < text.length) parts.push({ text: text.slice(from), hit: false });
  return parts;
}
