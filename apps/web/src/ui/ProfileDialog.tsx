import { useState } from 'preact/hooks';
import type { ChatModel } from '../app/model.js';
import { Avatar } from './Avatar.js';
import { Dialog } from './Dialog.js';
import { Icon } from './icons.js';

export function ProfileDialog({ model, onClose }: { model: ChatModel; onClose: () => void }) {
  const me = model.me.value;
  const [nickname, setNickname] = useState(me.nickname);
  const [busy, setBusy] = useState(false);
  const save = async (e: Event) => {
    e.preventDefault();
    const res = await model.run(model.client.updateProfile({ nickname: nickname.trim() }), 'Profile saved');
    if (res) model.me.value = { ...model.me.value, ...res.user };
  };
  return (
    <Dialog title="Your profile" onClose={onClose}>
      <div class="profile-card compact">
        <Avatar id={me.user_id} name={me.nickname || me.username} size={72} />
        <p class="profile-name">{me.nickname}</p>
        <p class="muted">@{me.username}</p>
      </div>
      <form class="form" onSubmit={(e) => void save(e)}>
        <label>
          Display name
          <input value={nickname} onInput={(e) => setNickname(e.currentTarget.value)} required maxLength={64} />
        </label>
        <button class="btn primary block" disabled={!nickname.trim() || nickname.trim() === me.nickname}>
          Save
        </button>
      </form>
      <button
        type="button"
        class="btn danger block"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void model.logout();
        }}
      >
        <Icon name="logout" size={18} /> Log out
      </button>
    </Dialog>
  );
}
