import { useEffect, useState } from 'preact/hooks';
import type { ConversationMember, Group } from '@im/client';
import type { ChatModel } from '../../app/model.js';
import { navigate } from '../../app/router.js';
import { Avatar } from '../Avatar.js';
import { Dialog } from '../Dialog.js';
import { Icon } from '../icons.js';
import { BackButton } from '../Shell.js';

export function GroupList({ model, selected }: { model: ChatModel; selected?: string | undefined }) {
  const [creating, setCreating] = useState(false);
  const groups = [...model.groups.value].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <div class="pane-scroll">
      <header class="pane-head">
        <h1>Groups</h1>
        <button type="button" class="btn small primary" onClick={() => setCreating(true)}>
          <Icon name="plus" size={16} /> New group
        </button>
      </header>
      {groups.length === 0 && <p class="muted pad">No groups yet.</p>}
      <ul class="people" aria-label="Groups">
        {groups.map((g) => (
          <li key={g.group_id}>
            <a href={`#/groups/${encodeURIComponent(g.group_id)}`} class={`person link${selected === g.group_id ? ' active' : ''}`} aria-current={selected === g.group_id ? 'true' : undefined}>
              <Avatar id={g.group_id} name={g.name} size={40} group />
              <span class="person-main">
                <span class="person-name">{g.name}</span>
                <span class="person-sub">
                  {g.member_count} members{g.dissolved_at !== undefined ? ' · dissolved' : ''}
                </span>
              </span>
            </a>
          </li>
        ))}
      </ul>
      {creating && <CreateGroupDialog model={model} onClose={() => setCreating(false)} />}
    </div>
  );
}

function FriendPicker({ model, exclude, chosen, onToggle }: { model: ChatModel; exclude?: ReadonlySet<string>; chosen: ReadonlySet<string>; onToggle: (id: string) => void }) {
  const friends = model.friends.value.filter((f) => !exclude?.has(f.user_id));
  if (friends.length === 0) return <p class="muted">No friends to add.</p>;
  return (
    <fieldset class="pick-list" aria-label="Friends">
      {friends.map((f) => (
        <label key={f.user_id} class="pick-row">
          <input type="checkbox" checked={chosen.has(f.user_id)} onChange={() => onToggle(f.user_id)} />
          <Avatar id={f.user_id} name={model.nameOf(f.user_id)} size={32} />
          <span>{model.nameOf(f.user_id)}</span>
        </label>
      ))}
    </fieldset>
  );
}

function useChosen(): [Set<string>, (id: string) => void] {
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const toggle = (id: string) =>
    setChosen((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  return [chosen, toggle];
}

function CreateGroupDialog({ model, onClose }: { model: ChatModel; onClose: () => void }) {
  const [name, setName] = useState('');
  const [chosen, toggle] = useChosen();
  const submit = async (e: Event) => {
    e.preventDefault();
    const res = await model.run(model.client.createGroup(name.trim(), [...chosen]));
    if (!res) return;
    onClose();
    await Promise.all([model.loadGroups(), model.loadConversations()]);
    navigate({ tab: 'groups', id: res.group.group_id });
  };
  return (
    <Dialog title="New group" onClose={onClose}>
      <form class="form" onSubmit={(e) => void submit(e)}>
        <label>
          Group name
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} required maxLength={64} autofocus />
        </label>
        <p class="field-label">Members</p>
        <FriendPicker model={model} chosen={chosen} onToggle={toggle} />
        <button class="btn primary block" disabled={!name.trim()}>
          Create group
        </button>
      </form>
    </Dialog>
  );
}

const ROLE_LABEL = { owner: 'Owner', admin: 'Admin', member: 'Member' } as const;

export function GroupDetail({ model, groupId }: { model: ChatModel; groupId: string }) {
  const [group, setGroup] = useState<Group | undefined>();
  const [members, setMembers] = useState<ConversationMember[]>([]);
  const [dialog, setDialog] = useState<'edit' | 'add' | 'dissolve' | 'leave' | undefined>();
  const [memberMenu, setMemberMenu] = useState<ConversationMember | undefined>();
  const listed = model.groups.value.find((g) => g.group_id === groupId);

  const reload = async () => {
    const [info, list] = await Promise.all([model.run(model.client.getGroupInfo(groupId)), model.run(model.client.getGroupMembers(groupId))]);
    if (info) {
      setGroup(info.group);
      model.setGroupInfo(info.group);
    }
    if (list) {
      setMembers(list.members);
      model.ensurePeople(list.members.map((m) => m.user_id));
    }
  };
  // Again when a notice changed the group list (renamed, members, dissolved).
  useEffect(() => {
    void reload();
  }, [groupId, listed?.member_count, listed?.name, listed?.announcement, listed?.dissolved_at, listed?.owner_id]);

  void model.people.value;
  const g = group ?? listed;
  if (!g) return <p class="muted pad">Loading group…</p>;
  const myRole = members.find((m) => m.user_id === model.userId)?.role;
  const manager = myRole === 'owner' || myRole === 'admin';
  const dissolved = g.dissolved_at !== undefined;
  const order = { owner: 0, admin: 1, member: 2 } as const;
  const sorted = [...members].sort((a, b) => order[a.role] - order[b.role] || model.nameOf(a.user_id).localeCompare(model.nameOf(b.user_id)));
  const after = async (p: Promise<unknown>, done: string) => {
    if ((await model.run(p, done)) !== undefined) {
      await reload();
      await model.loadGroups();
    }
  };

  return (
    <div class="detail">
      <header class="chat-head">
        <BackButton tab="groups" />
        <div class="chat-title">
          <h2>Group</h2>
        </div>
      </header>
      <div class="detail-body">
        <div class="profile-card">
          <Avatar id={g.group_id} name={g.name} size={88} group />
          <h2 class="profile-name">{g.name}</h2>
          <p class="muted">
            {g.member_count} members{dissolved ? ' · dissolved' : ''}
          </p>
          {g.announcement && <p class="announcement">{g.announcement}</p>}
          <div class="profile-actions">
            <button type="button" class="btn primary" onClick={() => navigate({ tab: 'chats', id: g.conversation_id })}>
              <Icon name="chat" size={18} /> Open chat
            </button>
            {manager && !dissolved && (
              <button type="button" class="btn" onClick={() => setDialog('edit')}>
                <Icon name="edit" size={18} /> Edit
              </button>
            )}
            {manager && !dissolved && (
              <button type="button" class="btn" onClick={() => setDialog('add')}>
                <Icon name="plus" size={18} /> Add members
              </button>
            )}
          </div>
        </div>
        <section class="section" aria-label="Members">
          <h2 class="section-title">Members · {members.length}</h2>
          <ul class="people">
            {sorted.map((m) => {
              const name = model.nameOf(m.user_id);
              const canManage = !dissolved && m.user_id !== model.userId && (myRole === 'owner' || (myRole === 'admin' && m.role === 'member'));
              return (
                <li key={m.user_id} class="person">
                  <Avatar id={m.user_id} name={name} size={40} online={model.presence.value.get(m.user_id)?.online} />
                  <span class="person-main">
                    <span class="person-name">
                      {name}
                      {m.user_id === model.userId ? ' (you)' : ''}
                    </span>
                    <span class="person-sub">{ROLE_LABEL[m.role]}</span>
                  </span>
                  {m.role !== 'member' && (
                    <span class={`pill role-${m.role}`}>
                      <Icon name={m.role === 'owner' ? 'crown' : 'shield'} size={13} /> {ROLE_LABEL[m.role]}
                    </span>
                  )}
                  {canManage && (
                    <button type="button" class="icon-btn" aria-label={`Manage ${name}`} onClick={() => setMemberMenu(m)}>
                      <Icon name="more" />
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
        </section>
        {!dissolved && myRole && (
          <div class="menu boxed">
            {myRole !== 'owner' && (
              <button type="button" class="menu-item danger" onClick={() => setDialog('leave')}>
                Leave group
              </button>
            )}
            {myRole === 'owner' && (
              <button type="button" class="menu-item danger" onClick={() => setDialog('dissolve')}>
                Dissolve group
              </button>
            )}
            {myRole === 'owner' && <p class="muted small pad">To leave, first make another member the owner.</p>}
          </div>
        )}
      </div>

      {memberMenu && (
        <Dialog title={model.nameOf(memberMenu.user_id)} onClose={() => setMemberMenu(undefined)} sheet>
          <div class="menu">
            {myRole === 'owner' && (
              <button
                type="button"
                class="menu-item"
                onClick={() => {
                  const m = memberMenu;
                  setMemberMenu(undefined);
                  void after(model.client.setGroupRole(groupId, m.user_id, m.role === 'admin' ? 'member' : 'admin'), m.role === 'admin' ? 'No longer an admin' : 'Made an admin');
                }}
              >
                <Icon name="shield" /> {memberMenu.role === 'admin' ? 'Remove admin role' : 'Make admin'}
              </button>
            )}
            {myRole === 'owner' && (
              <button
                type="button"
                class="menu-item"
                onClick={() => {
                  const m = memberMenu;
                  setMemberMenu(undefined);
                  void after(model.client.transferGroupOwner(groupId, m.user_id), `${model.nameOf(m.user_id)} owns the group now`);
                }}
              >
                <Icon name="crown" /> Make owner
              </button>
            )}
            <button
              type="button"
              class="menu-item danger"
              onClick={() => {
                const m = memberMenu;
                setMemberMenu(undefined);
                void after(model.client.removeGroupMember(groupId, m.user_id), `${model.nameOf(m.user_id)} was removed`);
              }}
            >
              <Icon name="trash" /> Remove from group
            </button>
          </div>
        </Dialog>
      )}
      {dialog === 'edit' && <EditGroupDialog model={model} group={g} onClose={() => setDialog(undefined)} onSaved={(next) => setGroup(next)} />}
      {dialog === 'add' && <AddMembersDialog model={model} group={g} members={members} onClose={() => setDialog(undefined)} onAdded={() => void after(Promise.resolve(1), '')} />}
      {(dialog === 'leave' || dialog === 'dissolve') && (
        <Dialog title={dialog === 'leave' ? `Leave ${g.name}?` : `Dissolve ${g.name}?`} onClose={() => setDialog(undefined)}>
          <p>{dialog === 'leave' ? 'You will stop receiving its messages.' : 'Nobody can send messages to it any more; its history stays readable.'}</p>
          <div class="dialog-actions">
            <button type="button" class="btn" onClick={() => setDialog(undefined)}>
              Cancel
            </button>
            <button
              type="button"
              class="btn danger"
              onClick={() => {
                const what = dialog;
                setDialog(undefined);
                if (what === 'leave') {
                  void model.run(model.client.leaveGroup(groupId), `You left ${g.name}`).then(async (ok) => {
                    if (ok === undefined) return;
                    model.conversations.value = model.conversations.value.filter((c) => c.group_id !== groupId);
                    await model.loadGroups();
                    navigate({ tab: 'groups' });
                  });
                } else {
                  void after(model.client.dissolveGroup(groupId), `${g.name} was dissolved`);
                }
              }}
            >
              {dialog === 'leave' ? 'Leave' : 'Dissolve'}
            </button>
          </div>
        </Dialog>
      )}
    </div>
  );
}

function EditGroupDialog({ model, group, onClose, onSaved }: { model: ChatModel; group: Group; onClose: () => void; onSaved: (g: Group) => void }) {
  const [name, setName] = useState(group.name);
  const [announcement, setAnnouncement] = useState(group.announcement);
  const submit = async (e: Event) => {
    e.preventDefault();
    const res = await model.run(model.client.updateGroup(group.group_id, { name: name.trim(), announcement: announcement.trim() }), 'Group saved');
    if (!res) return;
    onSaved(res.group);
    onClose();
    await Promise.all([model.loadGroups(), model.loadConversations()]);
  };
  return (
    <Dialog title="Edit group" onClose={onClose}>
      <form class="form" onSubmit={(e) => void submit(e)}>
        <label>
          Name
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} required maxLength={64} autofocus />
        </label>
        <label>
          Announcement
          <textarea value={announcement} onInput={(e) => setAnnouncement(e.currentTarget.value)} rows={3} maxLength={1024} />
        </label>
        <button class="btn primary block">Save</button>
      </form>
    </Dialog>
  );
}

function AddMembersDialog({ model, group, members, onClose, onAdded }: { model: ChatModel; group: Group; members: ConversationMember[]; onClose: () => void; onAdded: () => void }) {
  const [chosen, toggle] = useChosen();
  const submit = async (e: Event) => {
    e.preventDefault();
    const res = await model.run(model.client.addGroupMembers(group.group_id, [...chosen]));
    if (!res) return;
    model.toast(res.added.length === chosen.size ? `Added ${res.added.length}` : `Added ${res.added.length} of ${chosen.size}`, 'info');
    onClose();
    onAdded();
  };
  return (
    <Dialog title={`Add to ${group.name}`} onClose={onClose}>
      <form class="form" onSubmit={(e) => void submit(e)}>
        <FriendPicker model={model} exclude={new Set(members.map((m) => m.user_id))} chosen={chosen} onToggle={toggle} />
        <button class="btn primary block" disabled={chosen.size === 0}>
          Add
        </button>
      </form>
    </Dialog>
  );
}
