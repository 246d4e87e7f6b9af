import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { Kind } from '@im/client';
import type { ChatModel } from '../../app/model.js';
import { navigate } from '../../app/router.js';
import { dayLabel, presenceLabel } from '../../lib/format.js';
import { Avatar } from '../Avatar.js';
import { Dialog } from '../Dialog.js';
import { BackButton } from '../Shell.js';
import { Icon } from '../icons.js';
import { MessageSearch } from '../search/MessageSearch.js';
import { Composer } from './Composer.js';
import { ActionsDialog, ForwardDialog } from './dialogs.js';
import { FileDialog } from './FileDialog.js';
import { ReadByDialog } from './ReadByDialog.js';
import { fromEvent, fromOutbox, MessageItem, type Shown } from './Message.js';

const SHOWN_KINDS: ReadonlySet<number> = new Set([Kind.TEXT, Kind.FILE, Kind.FORWARD]);
/** Messages of one sender this close together share a header. */
const CONTINUE_MS = 5 * 60_000;

export function ChatView({ model, conversationId }: { model: ChatModel; conversationId: string }) {
  const conv = model.conversation(conversationId);
  const group = conv?.type === 'group';
  const [replyTo, setReplyTo] = useState<Shown | undefined>();
  const [editing, setEditing] = useState<Shown | undefined>();
  const [actions, setActions] = useState<Shown | undefined>();
  const [forwarding, setForwarding] = useState<Shown | undefined>();
  const [attaching, setAttaching] = useState(false);
  const [readBy, setReadBy] = useState<Shown | undefined>();
  const [searching, setSearching] = useState(false);
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const anchor = useRef<{ height: number; top: number } | undefined>(undefined);

  useEffect(() => {
    model.openConversation = conversationId;
    model.client.subscribe(conversationId).catch(() => undefined);
    if (!model.history.value.get(conversationId)) void model.loadHistory(conversationId);
    model.markRead(conversationId);
    return () => {
      if (model.openConversation === conversationId) model.openConversation = undefined;
      model.client.unsubscribe(conversationId).catch(() => undefined);
    };
  }, [conversationId]);
  useEffect(() => {
    if (group) void model.loadMembers(conversationId);
    if (conv?.group_id) void model.loadGroupInfo(conv.group_id);
  }, [conversationId, group]);

  // Re-read the view and the outbox whenever either changes.
  void model.viewTick.value;
  void model.people.value;
  const stored = model.client.view.messages(conversationId).map(fromEvent);
  const pending = model.client
    .pending(conversationId)
    .filter((e) => SHOWN_KINDS.has(e.kind))
    .map((e) => fromOutbox(e, model.userId));
  const messages = [...stored, ...pending];
  const history = model.history.value.get(conversationId);
  const peerRead = conv?.type === 'single' ? (model.peerRead.value.get(conversationId) ?? 0) : undefined;

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (anchor.current) {
      el.scrollTop = anchor.current.top + (el.scrollHeight - anchor.current.height);
      anchor.current = undefined;
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
  });

  const loadOlder = () => {
    const el = scroller.current;
    if (!el || !history?.hasMore || history.loading) return;
    anchor.current = { height: el.scrollHeight, top: el.scrollTop };
    void model.loadHistory(conversationId);
  };

  const onScroll = () => {
    // A scroll can be delivered after the list has gone (a reload, another chat opened).
    const el = scroller.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 60;
    if (el.scrollTop < 120) loadOlder();
  };

  // A thumbnail arrives after its message has been laid out: stay at the bottom if there.
  const onImageLoad = () => {
    const el = scroller.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  };

  const react = (m: Shown, emoji: string) => {
    if (!m.id) return;
    const mine = m.reactions?.[emoji]?.includes(model.userId);
    void model.run(mine ? model.client.unreact(conversationId, m.id, emoji) : model.client.react(conversationId, m.id, emoji));
  };

  const jump = (eventId: string) => {
    const el = document.getElementById(`msg-${eventId}`);
    if (!el) {
      model.toast('That message is further back: scroll up to load it.', 'info');
      return;
    }
    el.scrollIntoView({ block: 'center', behavior: 'smooth' });
    el.classList.add('flash');
    setTimeout(() => el.classList.remove('flash'), 1200);
  };

  // A message asked for from elsewhere (a search result): load older pages until it is
  // there, then bring it into view.
  const focus = model.focus.value;
  useEffect(() => {
    if (!focus || focus.conversation_id !== conversationId) return;
    if (model.client.view.message(focus.event_id)) {
      model.focus.value = undefined;
      atBottom.current = false;
      requestAnimationFrame(() => jump(focus.event_id));
      return;
    }
    if (!history || history.loading) return;
    const oldest = history.before ?? Infinity;
    if (history.hasMore && oldest > focus.seq) {
      void model.loadHistory(conversationId);
    } else {
      model.focus.value = undefined;
      model.toast('That message is no longer here.', 'info');
    }
  }, [focus, conversationId, history, model.viewTick.value]);

  const editLast = () => {
    const last = [...stored].reverse().find((m) => m.sender_id === model.userId && m.kind === Kind.TEXT && m.revoked_at === undefined);
    if (last && Date.now() - last.created_at < 24 * 3600_000) setEditing(last);
  };

  const g = model.groupOf(conv);
  const dissolved = g?.dissolved_at !== undefined;
  const typing = model.typingIn(conversationId);
  const name = conv ? model.conversationName(conv) : '';
  const presence = conv?.peer_user_id ? model.presence.value.get(conv.peer_user_id) : undefined;
  const subtitle =
    typing.length > 0
      ? group
        ? `${typing.map((u) => model.nameOf(u)).join(', ')} ${typing.length > 1 ? 'are' : 'is'} typing…`
        : 'typing…'
      : group
        ? g
          ? `${g.member_count} members${dissolved ? ' · dissolved' : ''}`
          : 'Group'
        : presenceLabel(presence, Date.now());

  const now = Date.now();
  let lastDay = '';
  return (
    <div class="chat">
      <header class="chat-head">
        <BackButton tab="chats" />
        {conv && <Avatar id={conv.group_id ?? conv.peer_user_id ?? conv.conversation_id} name={name} size={40} online={presence?.online} group={group} />}
        <div class="chat-title">
          <h2>{name || 'Conversation'}</h2>
          <p class={`chat-sub${typing.length > 0 ? ' typing' : ''}`} aria-live="polite">
            {subtitle}
          </p>
        </div>
        <button type="button" class="icon-btn" aria-label="Search in conversation" onClick={() => setSearching(true)}>
          <Icon name="search" />
        </button>
        {conv && (
          <button
            type="button"
            class={`icon-btn toggle${conv.pinned ? ' on' : ''}`}
            aria-label={conv.pinned ? 'Unpin conversation' : 'Pin conversation'}
            aria-pressed={Boolean(conv.pinned)}
            onClick={() => void model.setPrefs(conversationId, { pinned: !conv.pinned })}
          >
            <Icon name="pin" />
          </button>
        )}
        {conv && (
          <button
            type="button"
            class={`icon-btn toggle${conv.muted ? ' on' : ''}`}
            aria-label={conv.muted ? 'Unmute conversation' : 'Mute conversation'}
            aria-pressed={Boolean(conv.muted)}
            onClick={() => void model.setPrefs(conversationId, { muted: !conv.muted })}
          >
            <Icon name="mute" />
          </button>
        )}
        {conv?.group_id && (
          <button type="button" class="icon-btn" aria-label="Group info" onClick={() => navigate({ tab: 'groups', id: conv.group_id! })}>
            <Icon name="groups" />
          </button>
        )}
        {conv?.peer_user_id && (
          <button type="button" class="icon-btn" aria-label="Contact info" onClick={() => navigate({ tab: 'friends', id: conv.peer_user_id! })}>
            <Icon name="user" />
          </button>
        )}
      </header>
      <div class="messages" ref={scroller} onScroll={onScroll} onLoadCapture={onImageLoad}>
        {history?.hasMore && (
          <button type="button" class="btn ghost small load-older" onClick={loadOlder} disabled={history.loading}>
            {history.loading ? 'Loading…' : 'Load earlier messages'}
          </button>
        )}
        {history && !history.hasMore && !history.loading && <p class="chat-start muted">This is the start of the conversation.</p>}
        <ol class="message-list" aria-label={`Messages with ${name}`}>
          {messages.map((m, i) => {
            const prev = messages[i - 1];
            const day = dayLabel(m.created_at, now);
            const showDay = day !== lastDay;
            lastDay = day;
            const continued = !showDay && prev !== undefined && prev.sender_id === m.sender_id && m.created_at - prev.created_at < CONTINUE_MS;
            const read = peerRead === undefined || m.sender_id !== model.userId || m.seq === undefined ? undefined : m.seq <= peerRead;
            return [
              showDay && (
                <li key={`day-${day}`} class="day-sep" role="separator">
                  <span>{day}</span>
                </li>
              ),
              <MessageItem
                key={m.key}
                model={model}
                m={m}
                group={group}
                continued={continued}
                read={read}
                onActions={setActions}
                onReact={react}
                onJump={jump}
              />,
            ];
          })}
        </ol>
      </div>
      <Composer
        model={model}
        conversationId={conversationId}
        group={group}
        replyTo={replyTo}
        editing={editing}
        disabled={dissolved ? 'This group was dissolved: it is read-only now.' : undefined}
        onCancel={() => {
          setReplyTo(undefined);
          setEditing(undefined);
        }}
        onEditLast={editLast}
        onAttach={() => setAttaching(true)}
      />
      {actions && (
        <ActionsDialog
          model={model}
          m={actions}
          onClose={() => setActions(undefined)}
          onReply={() => {
            setEditing(undefined);
            setReplyTo(actions);
          }}
          onEdit={() => {
            setReplyTo(undefined);
            setEditing(actions);
          }}
          onForward={() => setForwarding(actions)}
          onReact={(emoji) => react(actions, emoji)}
          onReadBy={group ? () => setReadBy(actions) : undefined}
        />
      )}
      {forwarding && <ForwardDialog model={model} m={forwarding} onClose={() => setForwarding(undefined)} />}
      {readBy?.seq !== undefined && <ReadByDialog model={model} conversationId={conversationId} seq={readBy.seq} onClose={() => setReadBy(undefined)} />}
      {searching && (
        <Dialog title={`Search in ${name || 'conversation'}`} onClose={() => setSearching(false)} wide>
          <MessageSearch model={model} conversationId={conversationId} autoFocus onPicked={() => setSearching(false)} />
        </Dialog>
      )}
      {attaching && <FileDialog model={model} conversationId={conversationId} onClose={() => setAttaching(false)} />}
    </div>
  );
}
