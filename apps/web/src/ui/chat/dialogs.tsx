import { useState } from 'preact/hooks';
import { Kind } from '@im/client';
import type { ChatModel } from '../../app/model.js';
import { previewText } from '../../lib/preview.js';
import { safeUrl } from '../../lib/safe-url.js';
import { Avatar } from '../Avatar.js';
import { Dialog } from '../Dialog.js';
import { Icon } from '../icons.js';
import type { Shown } from './Message.js';

export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🎉'];
/** The server's windows (contract 3.4): revoke within 120 s, edit within 24 h. */
const REVOKE_MS = 120_000;
const EDIT_MS = 24 * 3600_000;

export function ActionsDialog({
  model,
  m,
  onClose,
  onReply,
  onEdit,
  onForward,
  onReact,
}: {
  model: ChatModel;
  m: Shown;
  onClose: () => void;
  onReply: () => void;
  onEdit: () => void;
  onForward: () => void;
  onReact: (emoji: string) => void;
}) {
  const own = m.sender_id === model.userId;
  const age = Date.now() - m.created_at;
  const canEdit = own && m.kind === Kind.TEXT && age < EDIT_MS;
  const canRevoke = own && age < REVOKE_MS;
  const act = (fn: () => void) => () => {
    onClose();
    fn();
  };
  return (
    <Dialog title="Message" onClose={onClose} sheet>
      <p class="sheet-preview">{previewText(m) || 'Message'}</p>
      <div class="quick-reactions" role="group" aria-label="React">
        {QUICK_REACTIONS.map((emoji) => (
          <button type="button" key={emoji} class={`emoji-btn${m.reactions?.[emoji]?.includes(model.userId) ? ' mine' : ''}`} aria-label={`React ${emoji}`} onClick={act(() => onReact(emoji))}>
            {emoji}
          </button>
        ))}
      </div>
      <div class="menu">
        <button type="button" class="menu-item" onClick={act(onReply)}>
          <Icon name="reply" /> Reply
        </button>
        <button type="button" class="menu-item" onClick={act(onForward)}>
          <Icon name="forward" /> Forward
        </button>
        {m.content && (
          <button type="button" class="menu-item" onClick={act(() => void navigator.clipboard?.writeText(m.content).then(() => model.toast('Copied', 'info')))}>
            <Icon name="copy" /> Copy text
          </button>
        )}
        {canEdit && (
          <button type="button" class="menu-item" onClick={act(onEdit)}>
            <Icon name="edit" /> Edit
          </button>
        )}
        {canRevoke && m.id && (
          <button type="button" class="menu-item danger" onClick={act(() => void model.run(model.client.revoke(model.openConversation!, m.id!)))}>
            <Icon name="trash" /> Revoke
          </button>
        )}
      </div>
    </Dialog>
  );
}

export function ForwardDialog({ model, m, onClose }: { model: ChatModel; m: Shown; onClose: () => void }) {
  const [target, setTarget] = useState<string | undefined>();
  const [comment, setComment] = useState('');
  const list = model.conversations.value;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!target || !m.id) return;
    onClose();
    await model.run(model.client.forward(target, [m.id], comment.trim()), 'Forwarded');
  };
  return (
    <Dialog title="Forward to" onClose={onClose}>
      <form class="form" onSubmit={(e) => void submit(e)}>
        <p class="sheet-preview">{previewText(m)}</p>
        <fieldset class="pick-list" aria-label="Conversations">
          {list.map((c) => (
            <label key={c.conversation_id} class="pick-row">
              <input type="radio" name="target" value={c.conversation_id} checked={target === c.conversation_id} onChange={() => setTarget(c.conversation_id)} />
              <Avatar id={c.group_id ?? c.peer_user_id ?? c.conversation_id} name={model.conversationName(c)} size={32} group={c.type === 'group'} />
              <span>{model.conversationName(c)}</span>
            </label>
          ))}
        </fieldset>
        <label>
          Comment <span class="muted">(optional)</span>
          <input value={comment} onInput={(e) => setComment(e.currentTarget.value)} maxLength={4096} />
        </label>
        <button class="btn primary block" disabled={!target}>
          Forward
        </button>
      </form>
    </Dialog>
  );
}

/**
 * A file message (kind 3) from a link: the URL with the name, size and type the message
 * carries (the server stores the link; it does not fetch it).
 */
export function FileDialog({ model, conversationId, onClose }: { model: ChatModel; conversationId: string; onClose: () => void }) {
  const [error, setError] = useState<string | undefined>();
  const submit = (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const url = String(f.get('url') ?? '').trim();
    if (!safeUrl(url, location.origin) || !/^https?:\/\//i.test(url)) {
      setError('The link must start with http:// or https://');
      return;
    }
    const size = Number(f.get('size'));
    const name = String(f.get('name') ?? '').trim() || url.split('/').pop() || 'file';
    const mime = String(f.get('mime') ?? '').trim() || 'application/octet-stream';
    onClose();
    model.client.sendFile(conversationId, { url, name, size, mime }, String(f.get('caption') ?? '').trim()).catch((err: unknown) => model.toast(`File not sent: ${(err as Error).message}`));
  };
  return (
    <Dialog title="Send a file" onClose={onClose}>
      <form class="form" onSubmit={submit}>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <label>
          Link to the file
          <input name="url" type="url" required placeholder="https://…" autofocus maxLength={1024} />
        </label>
        <label>
          File name
          <input name="name" required maxLength={255} placeholder="report.pdf" />
        </label>
        <div class="form-row">
          <label>
            Size in bytes
            <input name="size" type="number" required min={0} step={1} inputMode="numeric" />
          </label>
          <label>
            Type
            <input name="mime" required placeholder="application/pdf" maxLength={255} pattern="[\w.+\-]+/[\w.+\-]+" title="a MIME type such as image/png" />
          </label>
        </div>
        <label>
          Caption <span class="muted">(optional)</span>
          <input name="caption" maxLength={4096} />
        </label>
        <button class="btn primary block">Send file</button>
      </form>
    </Dialog>
  );
}
