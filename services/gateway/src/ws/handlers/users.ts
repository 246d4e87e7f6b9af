import { handler, result } from '../handler.js';

export const getUserInfo = handler('get_user_info', async ({ conn, deps }, data) => {
  const r = await deps.seaking.call('seaking.getUserInfo', { user_ids: data.user_ids, viewer_id: conn.userId });
  return result({ users: r.users });
});

export const updateProfile = handler('update_profile', async ({ conn, deps }, data) => {
  return result(await deps.seaking.call('seaking.updateProfile', { user_id: conn.userId, nickname: data.nickname, avatar: data.avatar }));
});

export const searchUsers = handler('search_users', async ({ conn, deps }, data) => {
  return result(await deps.seaking.call('seaking.searchUsers', { user_id: conn.userId, query: data.query, limit: data.limit }));
}, { cost: 5 });

/** Presence of friends and group co-members; other ids are left out. */
export const getPresence = handler('get_presence', async ({ conn, deps }, data) => {
  const { user_ids } = await deps.seaking.call('seaking.getVisibleUsers', { user_id: conn.userId, user_ids: data.user_ids });
  return result({ presence: await deps.router.presence(user_ids) });
});
