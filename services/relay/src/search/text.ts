import crypto from 'node:crypto';
import { fileIdOfUrl, Kind, type Tag } from '@im/protocol';

/**
 * What message search compares: Unicode compatibility-normalised (NFKC: full-width Latin
 * and half-width kana become their usual forms) and lower-cased with the locale-independent
 * Unicode mapping. The database's own locale never matters: PostgreSQL's lower() only folds
 * ASCII under the C locale that embedded servers use.
 */
export function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/**
 * The searchable text of an event, normalised, or undefined for kinds that are not
 * searched: a text's content; a file's caption and its `name` tag.
 */
export function searchBody(kind: number, content: string, tags: Tag[]): string | undefined {
  if (kind === Kind.TEXT) return normalize(content);
  if (kind === Kind.FILE) {
    const name = tags.find((t) => t[0] === 'name')?.[1];
    return normalize(name === undefined ? content : `${content}\n${name}`);
  }
  return undefined;
}

/** Queries shorter than this many UTF-8 bytes have no gram to look up. */
export const GRAM_BYTES = 3;

/** ASCII whitespace (tab, line feed, vertical tab, form feed, carriage return, space). */
const isSpace = (b: number) => b === 0x20 || (b >= 0x09 && b <= 0x0d);

/**
 * The index keys of a text: every run of three consecutive UTF-8 bytes without ASCII
 * whitespace, packed into an integer (0 .. 2^24-1). Bytes rather than characters, so that
 * one CJK character (three bytes) is already a key and two-character words are found
 * through the index; runs across a space are left out (in Latin text they are about two
 * keys in five, and they say little: the substring itself is checked on every candidate).
 * The SQL function search_keys() computes the same set. A text holds a substring only if it
 * holds all of the substring's keys; the substring itself is then checked.
 */
export function grams(body: string): number[] {
  const bytes = Buffer.from(body, 'utf8');
  const out = new Set<number>();
  for (let i = 0; i + GRAM_BYTES <= bytes.length; i++) {
    const a = bytes[i]!;
    const b = bytes[i + 1]!;
    const c = bytes[i + 2]!;
    if (isSpace(a) || isSpace(b) || isSpace(c)) continue;
    out.add((a << 16) | (b << 8) | c);
  }
  return [...out];
}

/**
 * A conversation's number in the index keys: the first 30 bits of the SHA-256 of its id
 * (the SQL function search_conversation_hash() computes the same).
 */
export function conversationHash(conversationId: string): number {
  return crypto.createHash('sha256').update(conversationId, 'utf8').digest().readUInt32BE(0) & 0x3fffffff;
}

/**
 * The index keys of a text in a conversation: each gram hashed together with the
 * conversation ((c × 0x9E3779B1 + g × 0x85EBCA77) mod 2^32, as a signed 32-bit integer;
 * the SQL function search_keys() computes the same). A key's documents are then those of
 * one conversation, so a search probes, per conversation of the reader, lists no longer than
 * that conversation's matches, however common the words are elsewhere. Collisions only cost
 * a recheck: the conversation and the substring are always checked on the row.
 */
export function keysOf(conversation: number, textGrams: number[]): number[] {
  return [...new Set(textGrams.map((g) => (Math.imul(conversation, 0x9e3779b1) + Math.imul(g, 0x85ebca77)) | 0))];
}

/** A PostgreSQL array literal of integers, for passing many arrays through unnest(). */
export function intArrayLiteral(values: number[]): string {
  return `{${values.join(',')}}`;
}

/** The file id of a kind 3 event whose `url` tag points at this cluster's file API. */
export function referencedFile(kind: number, tags: Tag[]): string | undefined {
  if (kind !== Kind.FILE) return undefined;
  const url = tags.find((t) => t[0] === 'url')?.[1];
  return url === undefined ? undefined : fileIdOfUrl(url);
}
