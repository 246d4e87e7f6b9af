import { handler, result } from '../handler.js';

export const getUserInfo = handler('get_user_info', async ({ conn, deps }, data) => {
  const r = await deps.seaking.call('seaking.getUserInfo', { user_ids: data.user_ids, viewer_id: conn.userId });
  return result({ users: r.users });
});
