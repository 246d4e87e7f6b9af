import { Kind, type Conversation, type ImEvent } from '@im/protocol';

/** How the terminal shows things: one readable line each, no colours (output may be a pipe). */

export function time(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

export function describeEvent(e: Pick<ImEvent, 'kind' | 'content' | 'tags' | 'revoked_at' | 'edited_at'>): string {
  if (e.revoked_at !== undefined) return '(message revoked)';
  const tag = (name: string) => e.tags.find((t) => t[0] === name)?.[1];
  switch (e.kind) {
    case Kind.TEXT:
      return e.edited_at !== undefined ? `${e.content} (edited)` : e.content;
    case Kind.FILE:
      return `[file ${tag('name') ?? tag('url') ?? ''}, ${tag('size') ?? '?'} bytes${e.content ? `] ${e.content}` : ']'}`;
    case Kind.FORWARD:
      return `[forwarded ${e.tags.filter((t) => t[0] === 'src').length} message(s)]${e.content ? ` ${e.content}` : ''}`;
    case Kind.REVOKE:
      return '(revoked a message)';
    case Kind.EDIT:
      return `(edited a message: ${e.content})`;
    case Kind.REACTION:
      return e.tags.some((t) => t[0] === 'remove') ? `(took back ${e.content})` : `(reacted ${e.content})`;
    default:
      return `(kind ${e.kind})`;
  }
}

export function messageLine(e: ImEvent, senderName: string): string {
  return `[${time(e.created_at)}] ${senderName}: ${describeEvent(e)}`;
}

export function conversationLine(index: number, c: Conversation): string {
  const unread = c.unread > 0 ? ` (${c.unread} unread)` : '';
  const last = c.last_event ? ` - ${describeEvent(c.last_event).slice(0, 60)}` : '';
  return `${String(index).padStart(3)}. ${c.name} [${c.type}]${unread}${last}`;
}
