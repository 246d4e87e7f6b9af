import { useState } from 'preact/hooks';
import type { User } from '@im/client';
import type { ChatModel } from '../../app/model.js';
import { navigate } from '../../app/router.js';
import { presenceLabel } from '../../lib/format.js';
import { Avatar } from '../Avatar.js';
import { Dialog } from '../Dialog.js';
import { Icon } from '../icons.js';
import { BackButton } from '../Shell.js';

/** The friends pane: search people, answer requests, the friends list and who is blocked. */
export function FriendsList({ model, selected }: { model: ChatModel; selected?: string | undefined }) {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<User[] | undefined>();
  const [adding, setAdding] = useState<User | undefined>();
  const friends = model.friends.value;
  const incoming = model.incoming.value;
  const outgoing = model.outgoing.value;
  const blocked = model.blocked.value;
  void model.people.value;
  const friendIds = new Set(friends.map((f) => f.user_id));
  const pendingTo = new Set(outgoing.map((r) => r.to_user_id));

  const search = async (e: Event) => {
    e.preventDefault();
    const q = query.trim();
    if (!q) return;
    const res = await model.run(model.client.searchUsers(q, 20));
    if (res) setResults(res.users.filter((u) => u.user_id !== model.userId));
  };

  const sorted = [...friends].sort((a, b) => Number(b.online) - Number(a.online) || model.nameOf(a.user_id).localeCompare(model.nameOf(b.user_id)));
  return (
    <div class="pane-scroll">
      <header class="pane-head">
        <h1>Friends</h1>
      </header>
      <form class="search" role="search" onSubmit={(e) => void search(e)}>
        <Icon name="search" size={18} />
        <input type="search" placeholder="Name, username, email or phone" aria-label="Find people" value={query} onInput={(e) => setQuery(e.currentTarget.value)} maxLength={64} />
        <button class="btn small">Search</button>
      </form>
      {results && (
        <section class="section" aria-label="Search results">
          <h2 class="section-title">
            Search results
            <button type="button" class="link-btn" onClick={() => setResults(undefined)}>
              Clear
            </button>
          </h2>
          {results.length === 0 && <p class="muted pad">Nobody found.</p>}
          <ul class="people">
            {results.map((u) => (
              <li key={u.user_id} class="person">
                <Avatar id={u.user_id} name={u.nickname || u.username} size={40} />
                <span class="person-main">
                  <span class="person-name">{u.nickname || u.username}</span>
                  <span class="person-sub">@{u.username}</span>
                </span>
                {friendIds.has(u.user_id) ? (
                  <span class="pill">Friend</span>
                ) : pendingTo.has(u.user_id) ? (
                  <span class="pill">Requested</span>
                ) : (
                  <button type="button" class="btn small primary" aria-label={`Add ${u.nickname || u.username}`} onClick={() => setAdding(u)}>
                    Add
                  </button>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      {incoming.length > 0 && (
        <section class="section" aria-label="Friend requests">
          <h2 class="section-title">Requests</h2>
          <ul class="people">
            {incoming.map((r) => {
              const name = model.nameOf(r.from_user_id);
              return (
                <li key={r.request_id} class="person request">
                  <Avatar id={r.from_user_id} name={name} size={40} />
                  <span class="person-main">
                    <span class="person-name">{name}</span>
                    <span class="person-sub">{r.message || 'wants to be your friend'}</span>
                  </span>
                  <span class="actions">
                    <button
                      type="button"
                      class="btn small primary"
                      aria-label={`Accept ${name}`}
                      onClick={() =>
                        void model.run(model.client.acceptFriendRequest(r.request_id), `You and ${name} are friends now`).then(() => {
                          void model.loadRequests();
                          void model.loadFriends();
                          void model.loadConversations();
                        })
                      }
                    >
                      Accept
                    </button>
                    <button type="button" class="btn small" aria-label={`Decline ${name}`} onClick={() => void model.run(model.client.rejectFriendRequest(r.request_id)).then(() => void model.loadRequests())}>
                      Decline
                    </button>
                  </span>
                </li>
              );
            })}
          </ul>
        </section>
      )}
      {outgoing.length > 0 && (
        <section class="section" aria-label="Sent requests">
          <h2 class="section-title">Sent requests</h2>
          <ul class="people">
            {outgoing.map((r) => (
              <li key={r.request_id} class="person">
                <Avatar id={r.to_user_id} name={model.nameOf(r.to_user_id)} size={40} />
                <span class="person-main">
                  <span class="person-name">{model.nameOf(r.to_user_id)}</span>
                  <span class="person-sub">waiting for an answer</span>
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section class="section" aria-label="Friends list">
        <h2 class="section-title">Friends · {friends.length}</h2>
        {friends.length === 0 && <p class="muted pad">No friends yet: search for someone above.</p>}
        <ul class="people">
          {sorted.map((f) => {
            const name = model.nameOf(f.user_id);
            const p = model.presence.value.get(f.user_id);
            return (
              <li key={f.user_id}>
                <a href={`#/friends/${encodeURIComponent(f.user_id)}`} class={`person link${selected === f.user_id ? ' active' : ''}`} aria-current={selected === f.user_id ? 'true' : undefined}>
                  <Avatar id={f.user_id} name={name} size={40} online={p?.online ?? f.online} />
                  <span class="person-main">
                    <span class="person-name">{name}</span>
                    <span class="person-sub">{f.remark ? `${f.nickname} · ` : ''}{presenceLabel(p ?? { online: f.online, last_seen: null }, Date.now())}</span>
                  </span>
                </a>
              </li>
            );
          })}
        </ul>
      </section>
      {blocked.length > 0 && (
        <section class="section" aria-label="Blocked">
          <h2 class="section-title">Blocked</h2>
          <ul class="people">
            {blocked.map((id) => (
              <li key={id} class="person">
                <Avatar id={id} name={model.nameOf(id)} size={40} />
                <span class="person-main">
                  <span class="person-name">{model.nameOf(id)}</span>
                </span>
                <button type="button" class="btn small" aria-label={`Unblock ${model.nameOf(id)}`} onClick={() => void model.run(model.client.unblockUser(id), 'Unblocked').then(() => void model.loadBlocked())}>
                  Unblock
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {adding && <AddFriendDialog model={model} user={adding} onClose={() => setAdding(undefined)} />}
    </div>
  );
}

function AddFriendDialog({ model, user, onClose }: { model: ChatModel; user: User; onClose: () => void }) {
  const [message, setMessage] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    onClose();
    const res = await model.run(model.client.sendFriendRequest(user.user_id, message.trim() || undefined));
    if (!res) return;
    model.toast(res.status === 'accepted' ? `You and ${user.nickname} are friends now` : 'Request sent', 'info');
    void model.loadRequests();
    if (res.status === 'accepted') {
      void model.loadFriends();
      void model.loadConversations();
    }
  };
  return (
    <Dialog title={`Add ${user.nickname || user.username}`} onClose={onClose}>
      <form class="form" onSubmit={(e) => void submit(e)}>
        <label>
          Message <span class="muted">(optional)</span>
          <input value={message} onInput={(e) => setMessage(e.currentTarget.value)} maxLength={256} placeholder="Hi, it's me!" autofocus />
        </label>
        <button class="btn primary block">Send request</button>
      </form>
    </Dialog>
  );
}

/** One friend: chat, remark, block, remove. */
export function FriendDetail({ model, userId }: { model: ChatModel; userId: string }) {
  const friend = model.friends.value.find((f) => f.user_id === userId);
  const person = model.people.value.get(userId);
  const [remark, setRemark] = useState<string | undefined>();
  const [confirm, setConfirm] = useState<'block' | 'delete' | undefined>();
  model.ensurePeople([userId]);
  const name = model.nameOf(userId);
  const presence = model.presence.value.get(userId);
  const isBlocked = model.blocked.value.includes(userId);

  const chat = async () => {
    const id = await model.chatWith(userId);
    if (id) navigate({ tab: 'chats', id });
  };
  const saveRemark = async (e: Event) => {
    e.preventDefault();
    const value = (remark ?? '').trim();
    setRemark(undefined);
    if ((await model.run(model.client.setFriendRemark(userId, value), value ? 'Remark saved' : 'Remark removed')) !== undefined) await model.loadFriends();
  };
  const doConfirm = async () => {
    const what = confirm;
    setConfirm(undefined);
    if (what === 'block') {
      if ((await model.run(model.client.blockUser(userId), `${name} is blocked`)) !== undefined) {
        await Promise.all([model.loadBlocked(), model.loadFriends(), model.loadRequests()]);
      }
    } else if (what === 'delete') {
      if ((await model.run(model.client.deleteFriend(userId), `${name} was removed from your friends`)) !== undefined) {
        await model.loadFriends();
        navigate({ tab: 'friends' });
      }
    }
  };

  return (
    <div class="detail">
      <header class="chat-head">
        <BackButton tab="friends" />
        <div class="chat-title">
          <h2>Contact</h2>
        </div>
      </header>
      <div class="detail-body">
        <div class="profile-card">
          <Avatar id={userId} name={name} size={88} online={presence?.online} />
          <h2 class="profile-name">{name}</h2>
          {person && <p class="muted">@{person.username}{friend?.remark ? ` · ${person.nickname}` : ''}</p>}
          <p class="muted">{presenceLabel(presence, Date.now())}</p>
          <div class="profile-actions">
            {friend && (
              <button type="button" class="btn primary" onClick={() => void chat()}>
                <Icon name="chat" size={18} /> Message
              </button>
            )}
            {friend && (
              <button type="button" class="btn" onClick={() => setRemark(friend.remark)}>
                <Icon name="edit" size={18} /> Remark
              </button>
            )}
          </div>
        </div>
        <div class="menu boxed">
          {isBlocked ? (
            <button type="button" class="menu-item" onClick={() => void model.run(model.client.unblockUser(userId), 'Unblocked').then(() => void model.loadBlocked())}>
              Unblock {name}
            </button>
          ) : (
            <button type="button" class="menu-item danger" onClick={() => setConfirm('block')}>
              Block {name}
            </button>
          )}
          {friend && (
            <button type="button" class="menu-item danger" onClick={() => setConfirm('delete')}>
              Remove from friends
            </button>
          )}
        </div>
      </div>
      {remark !== undefined && (
        <Dialog title="Remark" onClose={() => setRemark(undefined)}>
          <form class="form" onSubmit={(e) => void saveRemark(e)}>
            <label>
              What you call {person?.nickname ?? name}
              <input value={remark} onInput={(e) => setRemark(e.currentTarget.value)} maxLength={64} autofocus />
            </label>
            <button class="btn primary block">Save</button>
          </form>
        </Dialog>
      )}
      {confirm && (
        <Dialog title={confirm === 'block' ? `Block ${name}?` : `Remove ${name}?`} onClose={() => setConfirm(undefined)}>
          <p>{confirm === 'block' ? 'You will stop being friends, and they cannot message you or send you requests.' : 'You both stop being friends. Your chat stays readable.'}</p>
          <div class="dialog-actions">
            <button type="button" class="btn" onClick={() => setConfirm(undefined)}>
              Cancel
            </button>
            <button type="button" class="btn danger" onClick={() => void doConfirm()}>
              {confirm === 'block' ? 'Block' : 'Remove'}
            </button>
          </div>
        </Dialog>
      )}
    </div>
  );
}
