import { useEffect, useState } from 'preact/hooks';
import type { ChatModel } from '../app/model.js';
import { navigate, route, type Tab } from '../app/router.js';
import { Avatar } from './Avatar.js';
import { Banner } from './Banner.js';
import { ChatView } from './chat/ChatView.js';
import { ConversationList } from './ConversationList.js';
import { FriendDetail, FriendsList } from './friends/Friends.js';
import { GroupDetail, GroupList } from './groups/Groups.js';
import { Icon, type IconName } from './icons.js';
import { MomentsView } from './Moments.js';
import { ProfileDialog } from './ProfileDialog.js';
import { Toasts } from './Toasts.js';

const TABS: Array<{ tab: Tab; label: string; icon: IconName }> = [
  { tab: 'chats', label: 'Chats', icon: 'chat' },
  { tab: 'friends', label: 'Friends', icon: 'friends' },
  { tab: 'groups', label: 'Groups', icon: 'groups' },
  { tab: 'moments', label: 'Moments', icon: 'moments' },
];

/**
 * The signed-in layout: a navigation rail (a tab bar on phones), a list pane and a detail
 * pane. On a phone only one pane shows: the list, or the detail with a back button.
 */
export function Shell({ model }: { model: ChatModel }) {
  const r = route.value;
  const [profile, setProfile] = useState(false);
  const me = model.me.value;
  const unread = model.conversations.value.reduce((n, c) => n + (c.muted ? 0 : c.unread), 0);
  const requests = model.incoming.value.length;
  const badge = (tab: Tab) => (tab === 'chats' ? unread : tab === 'friends' ? requests : tab === 'moments' && r.tab !== 'moments' ? model.momentNews.value : 0);
  const news = model.momentNews.value;
  useEffect(() => {
    if (r.tab === 'moments' && news > 0) model.momentNews.value = 0;
  }, [r.tab, news]);

  return (
    <div class={`shell tab-${r.tab}${r.id ? ' has-detail' : ''}`}>
      <a class="skip-link" href="#main-pane">
        Skip to content
      </a>
      <nav class="rail" aria-label="Main">
        <span class="rail-logo" aria-hidden="true">
          <Icon name="chat" size={22} />
        </span>
        {TABS.map((t) => {
          const n = badge(t.tab);
          return (
            <a key={t.tab} href={`#/${t.tab}`} class={`rail-item${r.tab === t.tab ? ' active' : ''}`} aria-current={r.tab === t.tab ? 'page' : undefined}>
              <Icon name={t.icon} size={22} />
              <span class="rail-label">{t.label}</span>
              {n > 0 && (
                <span class="badge" aria-label={`${n} new`}>
                  {n > 99 ? '99+' : n}
                </span>
              )}
            </a>
          );
        })}
        <span class="rail-spacer" />
        <button type="button" class="rail-item rail-me" aria-label={`Profile: ${me.nickname}`} onClick={() => setProfile(true)}>
          <Avatar id={me.user_id} name={me.nickname || me.username} size={34} />
          <span class="rail-label">Me</span>
        </button>
      </nav>
      <section class="list-pane" aria-label={TABS.find((t) => t.tab === r.tab)?.label ?? 'List'}>
        {r.tab === 'chats' && <ConversationList model={model} selected={r.id} />}
        {r.tab === 'friends' && <FriendsList model={model} selected={r.id} />}
        {r.tab === 'groups' && <GroupList model={model} selected={r.id} />}
      </section>
      <section class="main-pane" id="main-pane" tabIndex={-1}>
        <Banner model={model} />
        {r.tab === 'chats' && (r.id ? <ChatView key={r.id} model={model} conversationId={r.id} /> : <Empty icon="chat" text="Pick a conversation, or start one from Friends." />)}
        {r.tab === 'friends' && (r.id ? <FriendDetail key={r.id} model={model} userId={r.id} /> : <Empty icon="friends" text="Find people, answer requests and manage your friends." />)}
        {r.tab === 'groups' && (r.id ? <GroupDetail key={r.id} model={model} groupId={r.id} /> : <Empty icon="groups" text="Pick a group to see its members, or create one." />)}
        {r.tab === 'moments' && <MomentsView model={model} />}
      </section>
      {profile && <ProfileDialog model={model} onClose={() => setProfile(false)} />}
      <Toasts model={model} />
    </div>
  );
}

function Empty({ icon, text }: { icon: IconName; text: string }) {
  return (
    <div class="empty">
      <span class="empty-icon">
        <Icon name={icon} size={36} />
      </span>
      <p>{text}</p>
    </div>
  );
}

export function BackButton({ tab }: { tab: Tab }) {
  return (
    <button type="button" class="icon-btn back-btn" aria-label="Back" onClick={() => navigate({ tab })}>
      <Icon name="back" />
    </button>
  );
}
