import { useState } from 'preact/hooks';
import { fileIdOfUrl, Kind } from '@im/client';
import type { ChatModel } from '../../app/model.js';
import { previewText } from '../../lib/preview.js';
import { tagValue } from '../../lib/tags.js';
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
  onReadBy,
}: {
  model: ChatModel;
  m: Shown;
  onClose: () => void;
  onReply: () => void;
  onEdit: () => void;
  onForward: () => void;
  onReact: (emoji: string) => void;
  /** Given in groups: who has read this message (own messages only). */
  onReadBy?: (() => void) | undefined;
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
        {own && onReadBy && m.seq !== undefined && (
          <button type="button" class="menu-item" onClick={act(onReadBy)}>
            <Icon name="checks" /> Read by
          </button>
        )}
        {m.id && (
          <button type="button" class="menu-item" onClick={act(() => void model.hide(model.openConversation!, m.id!))}>
            <Icon name="hide" /> Delete for me
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

/** The tags that describe a file event's file (not its replies or mentions). */
const FILE_TAGS = new Set(['url', 'm', 'size', 'name', 'x', 'dim', 'duration', 'thumb']);

export function ForwardDialog({ model, m, onClose }: { model: ChatModel; m: Shown; onClose: () => void }) {
  const [target, setTarget] = useState<string | undefined>();
  const [comment, setComment] = useState('');
  const list = model.conversations.value;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!target || !m.id) return;
    onClose();
    // A forward gives its readers no right to download a file of this cluster (only a file
    // event does, whichever gateway's host its URL names): such a file goes on as a file
    // event of its own with its caption, after the comment as a message of its own.
    const url = m.kind === Kind.FILE ? tagValue(m.tags, 'url') : undefined;
    if (url !== undefined && fileIdOfUrl(url) !== undefined) {
      const tags = m.tags.filter((t) => t[0] !== undefined && FILE_TAGS.has(t[0]));
      const note = comment.trim();
      const sent = (async () => {
        if (note) await model.client.sendText(target, note);
        return model.client.send({ conversation_id: target, kind: Kind.FILE, content: m.content, tags });
      })();
      await model.run(sent, 'Forwarded');
      return;
    }
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
