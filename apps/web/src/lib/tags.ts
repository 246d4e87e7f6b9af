import type { Tag } from '@im/client';

/** Reading the tags of messages (contract 3.4): pure helpers for the views. */

export function tagValue(tags: readonly Tag[], name: string): string | undefined {
  return tags.find((t) => t[0] === name)?.[1];
}

export function tagValues(tags: readonly Tag[], name: string): string[] {
  return tags.filter((t) => t[0] === name && t[1] !== undefined).map((t) => t[1]!);
}

export interface FileInfo {
  url: string;
  mime: string;
  size: number;
  name: string;
}

/** The file a kind 3 event points at; undefined when a required tag is missing. */
export function fileOf(tags: readonly Tag[]): FileInfo | undefined {
  const url = tagValue(tags, 'url');
  const mime = tagValue(tags, 'm');
  const size = Number(tagValue(tags, 'size'));
  if (!url || !mime || !Number.isFinite(size)) return undefined;
  return { url, mime, size, name: tagValue(tags, 'name') ?? (url.split('/').pop() || 'file') };
}

/** One forwarded source: `["src", source_id, kind, sender_id, created_at, content, tags_as_json]`. */
export interface ForwardedSource {
  id: string;
  kind: number;
  sender_id: string;
  created_at: number;
  content: string;
  tags: Tag[];
}

export function forwardedSources(tags: readonly Tag[]): ForwardedSource[] {
  const out: ForwardedSource[] = [];
  for (const t of tags) {
    if (t[0] !== 'src' || t.length < 7) continue;
    let inner: Tag[] = [];
    try {
      const parsed: unknown = JSON.parse(t[6]!);
      if (Array.isArray(parsed)) inner = parsed.filter((x): x is Tag => Array.isArray(x) && x.every((s) => typeof s === 'string'));
    } catch {
      // A tag the server made is JSON; anything else shows without its tags.
    }
    out.push({ id: t[1]!, kind: Number(t[2]), sender_id: t[3]!, created_at: Number(t[4]), content: t[5]!, tags: inner });
  }
  return out;
}
