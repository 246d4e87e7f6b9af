import { Kind, type ImEvent } from '@im/client';
import { fileOf, forwardedSources } from './tags.js';

/** The one-line preview of a message in the conversation list and in reply quotes. */
export function previewText(e: Pick<ImEvent, 'kind' | 'content' | 'tags' | 'revoked_at'> | null | undefined): string {
  if (!e) return '';
  if (e.revoked_at !== undefined) return 'Message revoked';
  switch (e.kind) {
    case Kind.TEXT:
      return oneLine(e.content);
    case Kind.FILE: {
      const f = fileOf(e.tags);
      const label = `📎 ${f?.name ?? 'File'}`;
      return e.content ? `${label}: ${oneLine(e.content)}` : label;
    }
    case Kind.FORWARD: {
      const n = forwardedSources(e.tags).length;
      const label = `↪ Forwarded${n > 1 ? ` (${n})` : ''}`;
      return e.content ? `${label}: ${oneLine(e.content)}` : label;
    }
    default:
      return '';
  }
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 119)}…` : flat;
}
