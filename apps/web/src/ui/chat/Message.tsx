import { Kind, type ImEvent, type OutboxEntry, type Tag } from '@im/client';
import type { ChatModel } from '../../app/model.js';
import { clockTime } from '../../lib/format.js';
import { splitMentions } from '../../lib/mentions.js';
import { previewText } from '../../lib/preview.js';
import { forwardedSources, tagValue, tagValues } from '../../lib/tags.js';
import { Avatar } from '../Avatar.js';
import { Icon } from '../icons.js';
import { FileCard } from './FileCard.js';

/** A message as the list shows it: stored (from the view) or still in the outbox. */
export interface Shown {
  key: string;
  id?: string;
  seq?: number;
  sender_id: string;
  kind: number;
  content: string;
  tags: Tag[];
  created_at: number;
  edited_at?: number;
  revoked_at?: number;
  reactions?: Record<string, string[]>;
  pending?: boolean;
}

export function fromEvent(e: ImEvent): Shown {
  return { ...e, key: e.id };
}

export function fromOutbox(e: OutboxEntry, me: string): Shown {
  return { key: `cid:${e.cid}`, sender_id: me, kind: e.kind, content: e.content, tags: e.tags, created_at: e.queued_at, pending: true };
}

export interface MessageProps {
  model: ChatModel;
  m: Shown;
  group: boolean;
  /** The previous message is by the same sender and close in time: no name, no avatar. */
  continued: boolean;
  /** Own message read by the peer (single chats); undefined when not applicable. */
  read: boolean | undefined;
  onActions: (m: Shown) => void;
  onReact: (m: Shown, emoji: string) => void;
  onJump: (eventId: string) => void;
}

export function MessageItem({ model, m, group, continued, read, onActions, onReact, onJump }: MessageProps) {
  const own = m.sender_id === model.userId;
  const name = model.nameOf(m.sender_id);
  const revoked = m.revoked_at !== undefined;
  const mentionsMe = !own && tagValues(m.tags, 'mention').includes(model.userId);
  return (
    <li
      id={m.id ? `msg-${m.id}` : undefined}
      class={`msg${own ? ' own' : ''}${continued ? ' continued' : ''}${m.pending ? ' pending' : ''}${mentionsMe ? ' mentions-me' : ''}`}
      data-testid="message"
      data-seq={m.seq}
      data-sender={m.sender_id}
    >
      {!own && group && (continued ? <span class="msg-avatar-gap" /> : <Avatar id={m.sender_id} name={name} size={32} />)}
      <div class="msg-col">
        {!own && group && !continued && <span class="msg-sender">{name}</span>}
        <div class="bubble-row">
          <div class={`bubble${revoked ? ' revoked' : ''}`}>
            {revoked ? <span class="revoked-text">{own ? 'You revoked a message' : 'This message was revoked'}</span> : <Body model={model} m={m} onJump={onJump} />}
            <span class="meta">
              {m.edited_at !== undefined && !revoked && <span class="edited">edited</span>}
              <time dateTime={new Date(m.created_at).toISOString()}>{clockTime(m.created_at)}</time>
              {own && !revoked && <Status pending={m.pending ?? false} read={read} />}
            </span>
          </div>
          {!m.pending && !revoked && (
            <button type="button" class="icon-btn msg-more" aria-label="Message actions" onClick={() => onActions(m)}>
              <Icon name="more" size={18} />
            </button>
          )}
        </div>
        {m.reactions && Object.keys(m.reactions).length > 0 && (
          <div class="reactions">
            {Object.entries(m.reactions).map(([emoji, users]) => {
              const mine = users.includes(model.userId);
              return (
                <button
                  type="button"
                  key={emoji}
                  class={`reaction${mine ? ' mine' : ''}`}
                  aria-pressed={mine}
                  title={users.map((u) => model.nameOf(u)).join(', ')}
                  aria-label={`${emoji} ${users.length}`}
                  onClick={() => onReact(m, emoji)}
                >
                  <span>{emoji}</span>
                  <span class="reaction-count">{users.length}</span>
                </button>
              );
            })}
          </div>
        )}
      </div>
    </li>
  );
}

function Status({ pending, read }: { pending: boolean; read: boolean | undefined }) {
  if (pending) return <Icon name="clock" size={14} class="status" aria-hidden="false" aria-label="Sending" role="img" />;
  if (read) return <Icon name="checks" size={16} class="status read" aria-hidden="false" aria-label="Read" role="img" />;
  return <Icon name="check" size={14} class="status" aria-hidden="false" aria-label="Sent" role="img" />;
}

function Body({ model, m, onJump }: { model: ChatModel; m: Shown; onJump: (id: string) => void }) {
  const replyTo = tagValue(m.tags, 'reply');
  return (
    <>
      {replyTo && <Quote model={model} eventId={replyTo} onJump={onJump} />}
      {m.kind === Kind.FILE && <FileCard model={model} tags={m.tags} />}
      {m.kind === Kind.FORWARD && forwardedSources(m.tags).map((s) => <Forwarded key={s.id} model={model} src={s} />)}
      {m.content && <Text model={model} text={m.content} tags={m.tags} />}
    </>
  );
}

function Text({ model, text, tags }: { model: ChatModel; text: string; tags: readonly Tag[] }) {
  const people = model.people.value;
  const names = tagValues(tags, 'mention').map((id) => {
    if (id === model.userId) return model.me.value.nickname;
    const p = people.get(id);
    return p?.nickname ?? p?.username ?? '';
  });
  return (
    <p class="text">
      {splitMentions(text, names).map((part, i) =>
        part.mention ? (
          <span key={i} class="mention">
            {part.text}
          </span>
        ) : (
          part.text
        ),
      )}
    </p>
  );
}

function Quote({ model, eventId, onJump }: { model: ChatModel; eventId: string; onJump: (id: string) => void }) {
  const target = model.client.view.message(eventId);
  return (
    <button type="button" class="quote" onClick={() => onJump(eventId)} aria-label="Go to the replied message">
      <span class="quote-name">{target ? model.nameOf(target.sender_id) : 'Reply'}</span>
      <span class="quote-text">{target ? previewText(target) || 'Message' : 'Original message not loaded'}</span>
    </button>
  );
}

function Forwarded({ model, src }: { model: ChatModel; src: ReturnType<typeof forwardedSources>[number] }) {
  model.ensurePeople([src.sender_id]);
  return (
    <div class="forwarded">
      <span class="forwarded-head">
        <Icon name="forward" size={14} /> Forwarded from {model.nameOf(src.sender_id)}
      </span>
      {src.kind === Kind.FILE ? <FileCard model={model} tags={src.tags} /> : <p class="text">{src.content}</p>}
    </div>
  );
}
