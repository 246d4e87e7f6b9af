/**
 * Mentions in the composer: typing `@` followed by letters opens a list of members; the
 * chosen one is written as `@name ` and remembered, and on send each remembered member
 * whose `@name` is still in the text becomes a `["mention", user_id]` tag.
 */

export interface MentionQuery {
  /** Where the `@` is. */
  start: number;
  /** What follows it up to the caret. */
  query: string;
}

/** The mention being typed at the caret, if any: `@` at the start or after a space. */
export function mentionAt(text: string, caret: number): MentionQuery | undefined {
  const before = text.slice(0, caret);
  const m = /(^|\s)@([^\s@]{0,32})$/u.exec(before);
  if (!m) return undefined;
  return { start: caret - m[2]!.length - 1, query: m[2]! };
}

/** The text with the mention at `q` replaced by `@name `, and the caret after it. */
export function insertMention(text: string, caret: number, q: MentionQuery, name: string): { text: string; caret: number } {
  const inserted = `@${name} `;
  const next = text.slice(0, q.start) + inserted + text.slice(caret);
  return { text: next, caret: q.start + inserted.length };
}

/** Members whose name starts with the query (case-insensitively), then those containing it. */
export function matchMembers<T extends { name: string }>(members: readonly T[], query: string, max = 8): T[] {
  const q = query.toLocaleLowerCase();
  const starts = members.filter((m) => m.name.toLocaleLowerCase().startsWith(q));
  const contains = members.filter((m) => !starts.includes(m) && m.name.toLocaleLowerCase().includes(q));
  return [...starts, ...contains].slice(0, max);
}

/** The user ids whose `@name` is still in the text, each once. */
export function mentionedIds(text: string, chosen: ReadonlyArray<{ user_id: string; name: string }>): string[] {
  const ids = new Set<string>();
  for (const c of chosen) if (text.includes(`@${c.name}`)) ids.add(c.user_id);
  return [...ids];
}

export interface TextPart {
  text: string;
  mention?: boolean;
}

/** Splits message text around `@name` of the mentioned users, for highlighting (still text). */
export function splitMentions(text: string, names: readonly string[]): TextPart[] {
  const wanted = names.filter((n) => n.length > 0).map((n) => `@${n}`).sort((a, b) => b.length - a.length);
  if (wanted.length === 0) return [{ text }];
  const parts: TextPart[] = [];
  let i = 0;
  let plain = '';
  while (i < text.length) {
    const hit = wanted.find((w) => text.startsWith(w, i));
    if (hit) {
      if (plain) parts.push({ text: plain });
      parts.push({ text: hit, mention: true });
      plain = '';
      i += hit.length;
    } else {
      plain += text[i];
      i++;
    }
  }
  if (plain) parts.push({ text: plain });
  return parts;
}
