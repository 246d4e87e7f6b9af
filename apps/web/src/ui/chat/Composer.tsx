import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { errorText, type ChatModel } from '../../app/model.js';
import { insertMention, matchMembers, mentionAt, mentionedIds, type MentionQuery } from '../../lib/mentions.js';
import { previewText } from '../../lib/preview.js';
import { Icon } from '../icons.js';
import type { Shown } from './Message.js';

export interface ComposerProps {
  model: ChatModel;
  conversationId: string;
  group: boolean;
  replyTo: Shown | undefined;
  editing: Shown | undefined;
  onCancel: () => void;
  onEditLast: () => void;
  onAttach: () => void;
  disabled?: string | undefined;
}

const TYPING_EVERY_MS = 2500;

/** Enter sends, Shift+Enter starts a line, Escape drops a reply or an edit, ↑ edits the last message. */
export function Composer({ model, conversationId, group, replyTo, editing, onCancel, onEditLast, onAttach, disabled }: ComposerProps) {
  const [text, setText] = useState('');
  const [mention, setMention] = useState<MentionQuery | undefined>();
  const [pick, setPick] = useState(0);
  const chosen = useRef<Array<{ user_id: string; name: string }>>([]);
  const lastTyping = useRef(0);
  const area = useRef<HTMLTextAreaElement>(null);

  // At once, not on the next frame (a page in the background may get no frames): what shows
  // "Editing message" already holds the text, focused with the caret at its end, so typing
  // that starts at once goes after it rather than being mixed with it.
  useLayoutEffect(() => {
    if (!editing) return;
    setText(editing.content);
    const el = area.current;
    if (!el) return;
    el.value = editing.content;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, [editing?.key]);
  useEffect(() => {
    if (replyTo) area.current?.focus();
  }, [replyTo?.key]);
  useEffect(() => autosize(area.current), [text]);

  const members = group
    ? (model.members.value.get(conversationId) ?? [])
        .filter((m) => m.user_id !== model.userId)
        .map((m) => {
          const p = model.people.value.get(m.user_id);
          return { user_id: m.user_id, name: p?.nickname || p?.username || '' };
        })
        .filter((m) => m.name)
    : [];
  const matches = mention ? matchMembers(members, mention.query) : [];

  // What the box holds now: a key pressed right after typing can reach a handler rendered
  // before the typing's state update, whose `text` is still the old one.
  const current = () => area.current?.value ?? text;

  // The box gets the name and the caret at once, not on the next frame: a caret put back
  // later (a page in the background may get no frames for a while) would land in the middle
  // of what was typed after the name.
  const choose = (m: { user_id: string; name: string }) => {
    const el = area.current!;
    const next = insertMention(el.value, el.selectionStart, mention!, m.name);
    chosen.current.push(m);
    el.value = next.text;
    el.setSelectionRange(next.caret, next.caret);
    setText(next.text);
    setMention(undefined);
  };

  const send = () => {
    const body = current().trim();
    if (!body) return;
    if (editing) {
      if (body !== editing.content && editing.id) model.client.edit(conversationId, editing.id, body).catch((err: unknown) => model.toast(`Edit not saved: ${(err as Error).message}`));
      onCancel();
    } else {
      const mentions = mentionedIds(body, chosen.current);
      model.client
        .sendText(conversationId, body, { ...(replyTo?.id ? { reply_to: replyTo.id } : {}), ...(mentions.length ? { mentions } : {}) })
        .catch((err: unknown) => {
          if (model.client.state !== 'closed') model.toast(`Message not sent: ${errorText(err)}`);
        });
      if (replyTo) onCancel();
    }
    chosen.current = [];
    setText('');
    // The state may already be empty (the update above never rendered): clear the box itself.
    if (area.current) area.current.value = '';
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (matches.length > 0) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setPick((p) => (p + (e.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        choose(matches[Math.min(pick, matches.length - 1)]!);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setMention(undefined);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    } else if (e.key === 'Escape' && (replyTo || editing)) {
      e.preventDefault();
      if (editing) setText('');
      onCancel();
    } else if (e.key === 'ArrowUp' && current() === '' && !editing) {
      e.preventDefault();
      onEditLast();
    }
  };

  const onInput = (e: Event) => {
    const el = e.currentTarget as HTMLTextAreaElement;
    setText(el.value);
    const q = group ? mentionAt(el.value, el.selectionStart) : undefined;
    setMention(q);
    setPick(0);
    const now = Date.now();
    if (el.value.trim() && !editing && now - lastTyping.current > TYPING_EVERY_MS) {
      lastTyping.current = now;
      model.client.typing(conversationId);
    }
  };

  if (disabled) {
    return (
      <footer class="composer disabled">
        <p class="muted">{disabled}</p>
      </footer>
    );
  }
  return (
    <footer class="composer">
      {(replyTo || editing) && (
        <div class="composer-context">
          <Icon name={editing ? 'edit' : 'reply'} size={16} />
          <span class="composer-context-text">
            <strong>{editing ? 'Editing message' : `Replying to ${model.nameOf(replyTo!.sender_id)}`}</strong>
            <span>{previewText(editing ?? replyTo)}</span>
          </span>
          <button
            type="button"
            class="icon-btn small"
            aria-label={editing ? 'Cancel editing' : 'Cancel reply'}
            onClick={() => {
              if (editing) setText('');
              onCancel();
            }}
          >
            <Icon name="close" size={16} />
          </button>
        </div>
      )}
      {matches.length > 0 && (
        <ul class="mention-list" role="listbox" aria-label="Mention a member">
          {matches.map((m, i) => (
            <li
              key={m.user_id}
              role="option"
              aria-selected={i === pick}
              class={i === pick ? 'active' : ''}
              onMouseDown={(e) => {
                e.preventDefault();
                choose(m);
              }}
            >
              @{m.name}
            </li>
          ))}
        </ul>
      )}
      <div class="composer-row">
        <button type="button" class="icon-btn" aria-label="Send a file" onClick={onAttach} disabled={Boolean(editing)}>
          <Icon name="attach" />
        </button>
        <textarea
          ref={area}
          class="composer-input"
          rows={1}
          placeholder={editing ? 'Edit message' : 'Message'}
          aria-label="Message"
          value={text}
          onInput={onInput}
          onKeyDown={onKeyDown}
          onBlur={() => setMention(undefined)}
          maxLength={16384}
        />
        <button type="button" class="icon-btn send-btn" aria-label={editing ? 'Save' : 'Send'} onClick={send} disabled={!text.trim()}>
          <Icon name={editing ? 'check' : 'send'} />
        </button>
      </div>
    </footer>
  );
}

function autosize(el: HTMLTextAreaElement | null): void {
  if (!el) return;
  el.style.height = 'auto';
  el.style.height = `${Math.min(el.scrollHeight, 160)}px`;
}
