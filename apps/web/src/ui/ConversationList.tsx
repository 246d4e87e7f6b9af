import type { Conversation } from '@im/client';
import type { ChatModel } from '../app/model.js';
import { listTime } from '../lib/format.js';
import { previewText } from '../lib/preview.js';
import { Avatar } from './Avatar.js';
import { Icon } from './icons.js';
import { MessageSearch } from './search/MessageSearch.js';

export function ConversationList({ model, selected }: { model: ChatModel; selected?: string | undefined }) {
  const list = model.conversations.value;
  const loaded = model.conversationsLoaded.value;
  const more = model.conversationCursor.value;
  // Read so the rows re-render when names, presence or typing change.
  void model.people.value;
  void model.presence.value;
  void model.typing.value;
  const now = Date.now();
  return (
    <div class="pane-scroll">
      <header class="pane-head">
        <h1>Chats</h1>
      </header>
      <MessageSearch model={model}>
        {!loaded && <p class="muted pad">Loading conversations…</p>}
        {loaded && list.length === 0 && <p class="muted pad">No conversations yet. Add a friend to start chatting.</p>}
        <ul class="conv-list" aria-label="Conversations">
          {list.map((c) => (
            <Row key={c.conversation_id} model={model} c={c} active={c.conversation_id === selected} now={now} />
          ))}
        </ul>
        {more && (
          <button type="button" class="btn ghost block" onClick={() => void model.loadMoreConversations()}>
            Show older conversations
          </button>
        )}
      </MessageSearch>
    </div>
  );
}

function Row({ model, c, active, now }: { model: ChatModel; c: Conversation; active: boolean; now: number }) {
  const name = model.conversationName(c);
  const online = c.peer_user_id ? model.presence.value.get(c.peer_user_id)?.online : undefined;
  const typing = model.typingIn(c.conversation_id);
  const last = c.last_event;
  const prefix = last && c.type === 'group' && last.revoked_at === undefined ? `${last.sender_id === model.userId ? 'You' : model.nameOf(last.sender_id)}: ` : last?.sender_id === model.userId && last.revoked_at === undefined ? 'You: ' : '';
  const preview = typing.length > 0 ? 'typing…' : last ? prefix + previewText(last) : c.type === 'group' ? 'Group created' : 'Say hello 👋';
  return (
    <li>
      <a
        href={`#/chats/${encodeURIComponent(c.conversation_id)}`}
        class={`conv-row${active ? ' active' : ''}${c.unread > 0 ? ' unread' : ''}`}
        aria-current={active ? 'true' : undefined}
        data-conversation={c.conversation_id}
      >
        <Avatar id={c.group_id ?? c.peer_user_id ?? c.conversation_id} name={name} online={online} group={c.type === 'group'} />
        <span class="conv-main">
          <span class="conv-top">
            <span class="conv-name">{name}</span>
            {c.pinned && <Icon name="pin" size={14} class="conv-flag" aria-hidden="false" role="img" aria-label="Pinned" />}
            {c.muted && <Icon name="mute" size={14} class="conv-flag" aria-hidden="false" role="img" aria-label="Muted" />}
            <span class="conv-time">{last ? listTime(last.created_at, now) : ''}</span>
          </span>
          <span class="conv-bottom">
            <span class={`conv-preview${typing.length > 0 ? ' typing' : ''}`}>{preview}</span>
            {c.unread > 0 && (
              <span class={`badge${c.muted ? ' muted' : ''}`} aria-label={`${c.unread} unread`}>
                {c.unread > 99 ? '99+' : c.unread}
              </span>
            )}
          </span>
        </span>
      </a>
    </li>
  );
}
