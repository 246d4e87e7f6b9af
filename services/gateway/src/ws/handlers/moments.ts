import { applyEffects } from '../effects.js';
import { handler, result } from '../handler.js';

/** Moments (contract 5): seaking decides who sees what; the gateway delivers the notices. */

export const postMoment = handler('post_moment', async ({ conn, deps }, data) => {
  return result(await deps.seaking.call('seaking.postMoment', { ...data, user_id: conn.userId }));
});

// A page probes the moments of every friend: it costs more of the socket's budget.
export const getTimeline = handler('get_timeline', async ({ conn, deps }, data) => {
  return result(await deps.seaking.call('seaking.getTimeline', { user_id: conn.userId, before: data?.before, limit: data?.limit }));
}, { cost: 5 });

export const getUserMoments = handler('get_user_moments', async ({ conn, deps }, data) => {
  return result(await deps.seaking.call('seaking.getUserMoments', { user_id: conn.userId, target_id: data.user_id, before: data.before, limit: data.limit }));
});

export const likeMoment = handler('like_moment', async ({ conn, deps }, data) => {
  const r = await deps.seaking.call('seaking.likeMoment', { user_id: conn.userId, moment_id: data.moment_id });
  applyEffects(deps, r.effects);
  return result();
});

export const unlikeMoment = handler('unlike_moment', async ({ conn, deps }, data) => {
  await deps.seaking.call('seaking.unlikeMoment', { user_id: conn.userId, moment_id: data.moment_id });
  return result();
});

// Each comment notifies the moment's author, who may be a stranger: priced like a friend request.
export const commentMoment = handler('comment_moment', async ({ conn, deps }, data) => {
  const r = await deps.seaking.call('seaking.commentMoment', {
    user_id: conn.userId,
    moment_id: data.moment_id,
    content: data.content,
    reply_to_comment_id: data.reply_to_comment_id,
  });
  applyEffects(deps, r.effects);
  return result({ comment: r.comment });
}, { cost: 5 });

export const deleteMoment = handler('delete_moment', async ({ conn, deps }, data) => {
  await deps.seaking.call('seaking.deleteMoment', { user_id: conn.userId, moment_id: data.moment_id });
  return result();
});

export const deleteComment = handler('delete_comment', async ({ conn, deps }, data) => {
  await deps.seaking.call('seaking.deleteComment', { user_id: conn.userId, comment_id: data.comment_id });
  return result();
});
