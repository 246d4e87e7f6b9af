import { useEffect, useState } from 'preact/hooks';
import type { ChatModel, Moment } from '../app/model.js';
import { listTime } from '../lib/format.js';
import { safeUrl } from '../lib/safe-url.js';
import { Avatar } from './Avatar.js';
import { Icon } from './icons.js';

/** Friends' moments, newest first: post, like, comment, delete one's own. */
export function MomentsView({ model }: { model: ChatModel }) {
  const moments = model.moments.value;
  const cursor = model.momentsCursor.value;
  const [text, setText] = useState('');
  const [visibility, setVisibility] = useState<'friends' | 'public' | 'private'>('friends');
  useEffect(() => {
    void model.loadTimeline();
  }, []);
  void model.people.value;

  const post = async (e: Event) => {
    e.preventDefault();
    const content = text.trim();
    if (!content) return;
    const res = await model.run(model.client.postMoment({ content, visibility }));
    if (!res) return;
    setText('');
    model.moments.value = [res.moment, ...model.moments.value];
  };

  return (
    <div class="moments">
      <header class="chat-head">
        <div class="chat-title">
          <h2>Moments</h2>
          <p class="chat-sub">What your friends are up to</p>
        </div>
      </header>
      <div class="detail-body">
        <form class="moment-compose section" onSubmit={(e) => void post(e)}>
          <textarea aria-label="What's new?" placeholder="What's new?" rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)} maxLength={4096} />
          <div class="moment-compose-row">
            <label class="visibility">
              <span class="sr-only">Who can see it</span>
              <select value={visibility} onChange={(e) => setVisibility(e.currentTarget.value as typeof visibility)} aria-label="Who can see it">
                <option value="friends">Friends</option>
                <option value="public">Everyone</option>
                <option value="private">Only me</option>
              </select>
            </label>
            <button class="btn primary" disabled={!text.trim()}>
              Post
            </button>
          </div>
        </form>
        {moments.length === 0 && <p class="muted pad center">No moments yet.</p>}
        <ul class="moment-list" aria-label="Timeline">
          {moments.map((m) => (
            <MomentCard key={m.moment_id} model={model} m={m} />
          ))}
        </ul>
        {cursor && (
          <button type="button" class="btn ghost block" onClick={() => void model.loadTimeline(cursor)}>
            Show older moments
          </button>
        )}
      </div>
    </div>
  );
}

function MomentCard({ model, m }: { model: ChatModel; m: Moment }) {
  const [comment, setComment] = useState('');
  const name = model.nameOf(m.user_id);
  const liked = m.likes.includes(model.userId);
  const own = m.user_id === model.userId;
  model.ensurePeople([m.user_id, ...m.likes, ...m.comments.map((c) => c.user_id)]);
  const replace = (next: Moment) => (model.moments.value = model.moments.value.map((x) => (x.moment_id === next.moment_id ? next : x)));
  const like = async () => {
    const ok = await model.run(liked ? model.client.unlikeMoment(m.moment_id) : model.client.likeMoment(m.moment_id));
    if (ok === undefined) return;
    replace({ ...m, likes: liked ? m.likes.filter((u) => u !== model.userId) : [...m.likes, model.userId] });
  };
  const send = async (e: Event) => {
    e.preventDefault();
    const content = comment.trim();
    if (!content) return;
    const res = await model.run(model.client.commentMoment(m.moment_id, content));
    if (!res) return;
    setComment('');
    replace({ ...m, comments: [...m.comments, res.comment] });
  };
  const remove = async () => {
    if ((await model.run(model.client.deleteMoment(m.moment_id), 'Moment deleted')) === undefined) return;
    model.moments.value = model.moments.value.filter((x) => x.moment_id !== m.moment_id);
  };
  return (
    <li class="moment section" data-testid="moment">
      <div class="moment-head">
        <Avatar id={m.user_id} name={name} size={42} />
        <span class="person-main">
          <span class="person-name">{name}</span>
          <span class="person-sub">
            {listTime(m.created_at, Date.now())} · {m.visibility === 'public' ? 'Everyone' : m.visibility === 'private' ? 'Only me' : 'Friends'}
          </span>
        </span>
        {own && (
          <button type="button" class="icon-btn" aria-label="Delete moment" onClick={() => void remove()}>
            <Icon name="trash" size={18} />
          </button>
        )}
      </div>
      <p class="moment-text">{m.content}</p>
      {m.images.length > 0 && (
        <div class="moment-images">
          {m.images.map((u) => {
            const src = safeUrl(u, location.origin);
            return src ? <img key={u} src={src} alt="" loading="lazy" referrerpolicy="no-referrer" /> : null;
          })}
        </div>
      )}
      <div class="moment-actions">
        <button type="button" class={`btn small${liked ? ' liked' : ''}`} aria-pressed={liked} onClick={() => void like()}>
          <Icon name="heart" size={16} /> {liked ? 'Liked' : 'Like'}
        </button>
        {m.likes.length > 0 && <span class="muted small">♥ {m.likes.map((u) => model.nameOf(u)).join(', ')}</span>}
      </div>
      {m.comments.length > 0 && (
        <ul class="moment-comments" aria-label="Comments">
          {m.comments.map((c) => (
            <li key={c.comment_id}>
              <strong>{model.nameOf(c.user_id)}</strong>
              {c.reply_to_user_id ? <span class="muted"> → {model.nameOf(c.reply_to_user_id)}</span> : null}: {c.content}
            </li>
          ))}
        </ul>
      )}
      <form class="moment-comment-form" onSubmit={(e) => void send(e)}>
        <input aria-label={`Comment on ${name}'s moment`} placeholder="Write a comment" value={comment} onInput={(e) => setComment(e.currentTarget.value)} maxLength={1024} />
        <button class="btn small" disabled={!comment.trim()}>
          Send
        </button>
      </form>
    </li>
  );
}
