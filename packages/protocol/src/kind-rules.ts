import { AppError } from './errors.js';
import { Kind, isPersistedKind } from './kinds.js';
import { Limits } from './limits.js';
import type { Tag } from './models.js';
import { hasNul, utf8Length } from './validate.js';

/**
 * The per-kind rules of contract 3.4 that need nothing but the event itself. Rules that need
 * stored state (targets, windows, membership) are the relay's.
 */

export interface EventShape {
  kind: number;
  content: string;
  tags: Tag[];
  cid?: string | undefined;
}

export const MAX_FORWARD_SOURCES = 30;
export const MAX_REACTION_BYTES = 64;

const HEX64 = /^[0-9a-f]{64}$/;
const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;

function bad(message: string, field: string): never {
  throw new AppError('bad_request', message, field);
}

function contentBytes(content: string, min: number, max: number, what = 'content'): void {
  if (hasNul(content)) bad(`${what} must not contain NUL characters or unpaired surrogates`, 'content');
  const bytes = utf8Length(content);
  if (bytes > max) throw new AppError('too_large', `${what} exceeds ${max} bytes`, 'content');
  if (bytes < min) bad(`${what} must not be empty`, 'content');
}

function tagsNamed(tags: Tag[], name: string): Tag[] {
  return tags.filter((t) => t[0] === name);
}

function requireSingle(tags: Tag[], name: string, pattern?: RegExp): string {
  const found = tagsNamed(tags, name);
  if (found.length !== 1) bad(`exactly one "${name}" tag is required`, 'tags');
  const value = found[0]![1];
  if (value === undefined || (pattern && !pattern.test(value))) bad(`the "${name}" tag has an invalid value`, 'tags');
  return value;
}

function optionalSingle(tags: Tag[], name: string, pattern: RegExp): void {
  const found = tagsNamed(tags, name);
  if (found.length > 1) bad(`at most one "${name}" tag is allowed`, 'tags');
  if (found.length === 1) {
    const value = found[0]![1];
    if (value === undefined || !pattern.test(value)) bad(`the "${name}" tag has an invalid value`, 'tags');
  }
}

function noServerTags(tags: Tag[]): void {
  if (tags.some((t) => t[0] === 'src')) bad('"src" tags are added by the server', 'tags');
}

const ANY = /^.+$/s;
const rules: Record<number, (e: EventShape) => void> = {
  [Kind.TEXT]: (e) => {
    contentBytes(e.content, 1, Limits.maxContentBytes);
    for (const t of e.tags) {
      if ((t[0] === 'reply' && !HEX64.test(t[1] ?? '')) || (t[0] === 'mention' && !t[1])) {
        bad(`the "${t[0]}" tag has an invalid value`, 'tags');
      }
    }
    optionalSingle(e.tags, 'reply', HEX64);
  },
  [Kind.FILE]: (e) => {
    contentBytes(e.content, 0, Limits.maxContentBytes, 'caption');
    requireSingle(e.tags, 'url', ANY);
    requireSingle(e.tags, 'm', ANY);
    requireSingle(e.tags, 'size', DECIMAL);
    optionalSingle(e.tags, 'duration', DECIMAL);
    optionalSingle(e.tags, 'dim', /^\d{1,6}x\d{1,6}$/);
    optionalSingle(e.tags, 'x', HEX64);
  },
  [Kind.REVOKE]: (e) => {
    contentBytes(e.content, 0, Limits.maxContentBytes, 'reason');
    requireSingle(e.tags, 'e', HEX64);
  },
  [Kind.EDIT]: (e) => {
    contentBytes(e.content, 1, Limits.maxContentBytes);
    requireSingle(e.tags, 'e', HEX64);
  },
  [Kind.READ]: (e) => {
    if (!DECIMAL.test(e.content)) bad('content must be the decimal seq last read', 'content');
    if (e.tags.length > 0) bad('read events take no tags', 'tags');
  },
  [Kind.TYPING]: (e) => {
    if (e.content !== '') bad('typing events have empty content', 'content');
    if (e.tags.length > 0) bad('typing events take no tags', 'tags');
  },
  [Kind.REACTION]: (e) => {
    contentBytes(e.content, 1, MAX_REACTION_BYTES, 'a reaction');
    requireSingle(e.tags, 'e', HEX64);
    if (e.tags.some((t) => t[0] !== 'e' && t[0] !== 'remove')) bad('a reaction takes only "e" and "remove" tags', 'tags');
  },
  [Kind.FORWARD]: (e) => {
    contentBytes(e.content, 0, Limits.maxContentBytes, 'comment');
    const sources = tagsNamed(e.tags, 'e');
    if (sources.length < 1) bad('a forward needs at least one "e" tag', 'tags');
    if (sources.some((t) => !HEX64.test(t[1] ?? ''))) bad('an "e" tag has an invalid value', 'tags');
    // A source named twice counts once (and is copied once).
    if (forwardSources(e.tags).length > MAX_FORWARD_SOURCES) {
      throw new AppError('too_large', `a forward takes at most ${MAX_FORWARD_SOURCES} sources`, 'tags');
    }
  },
};

/** Throws the contract's error when an event breaks a rule of its kind. */
export function checkEventShape(e: EventShape): void {
  const rule = rules[e.kind];
  if (!rule) bad(`unknown kind ${e.kind}`, 'kind');
  if (isPersistedKind(e.kind) && (e.cid === undefined || e.cid === '')) bad('cid is required for this kind', 'cid');
  if (e.tags.some((t) => t.some(hasNul))) bad('tags must not contain NUL characters or unpaired surrogates', 'tags');
  // `src` tags are copies the server adds to forwards; a client may not send one, in any kind.
  noServerTags(e.tags);
  rule(e);
}

/** The distinct sources a forward names, in the order first named. */
export function forwardSources(tags: Tag[]): string[] {
  return [...new Set(tags.filter((t) => t[0] === 'e').map((t) => t[1]!))];
}

/** The event id a revoke, edit or reaction points at. */
export function targetOf(tags: Tag[]): string | undefined {
  return tags.find((t) => t[0] === 'e')?.[1];
}
