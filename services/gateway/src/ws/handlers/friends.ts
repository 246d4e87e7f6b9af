import { applyEffects } from '../effects.js';
import { handler, result } from '../handler.js';

export const getFriends = handler('get_friends', async ({ conn, deps }) => {
  const { friends } = await deps.seaking.call('seaking.getFriends', { user_id: conn.userId });
  const online = await deps.router.online(friends.map((f) => f.user_id));
  return result({ friends: friends.map((f) => ({ ...f, online: online.has(f.user_id) })) });
});

export const sendFriendRequest = handler('send_friend_request', async ({ conn, deps }, data) => {
  const r = await deps.seaking.call('seaking.sendFriendRequest', { user_id: conn.userId, to_user_id: data.user_id, message: data.message });
  applyEffects(deps, r.effects);
  return result({ request_id: r.request_id, status: r.status });
}, { cost: 5 });

export const getFriendRequests = handler('get_friend_requests', async ({ conn, deps }, data) => {
  const r = await deps.seaking.call('seaking.getPendingFriendRequests', { user_id: conn.userId, direction: data?.direction ?? 'incoming' });
  return result({ requests: r.requests });
});

export const acceptFriendRequest = handler('accept_friend_request', async ({ conn, deps }, data) => {
  const r = await deps.seaking.call('seaking.acceptFriendRequest', { user_id: conn.userId, request_id: data.request_id });
  applyEffects(deps, r.effects);
  return result({ conversation_id: r.conversation_id });
});

export const rejectFriendRequest = handler('reject_friend_request', async ({ conn, deps }, data) => {
  const r = await deps.seaking.call('seaking.rejectFriendRequest', { user_id: conn.userId, request_id: data.request_id });
  applyEffects(deps, r.effects);
  return result();
});

export const deleteFriend = handler('delete_friend', async ({ conn, deps }, data) => {
  const r = await deps.seaking.call('seaking.deleteFriend', { user_id: conn.userId, friend_id: data.user_id });
  applyEffects(deps, r.effects);
  return result();
});

export const setFriendRemark = handler('set_friend_remark', async ({ conn, deps }, data) => {
  await deps.seaking.call('seaking.setFriendRemark', { user_id: conn.userId, friend_id: data.user_id, remark: data.remark });
  return result();
});

export const blockUser = handler('block_user', async ({ conn, deps }, data) => {
  const r = await deps.seaking.call('seaking.blockUser', { user_id: conn.userId, target_id: data.user_id });
  applyEffects(deps, r.effects);
  return result();
});

export const unblockUser = handler('unblock_user', async ({ conn, deps }, data) => {
  const r = await deps.seaking.call('seaking.unblockUser', { user_id: conn.userId, target_id: data.user_id });
  applyEffects(deps, r.effects);
  return result();
});

export const getBlocked = handler('get_blocked', async ({ conn, deps }) => {
  return result(await deps.seaking.call('seaking.getBlocked', { user_id: conn.userId }));
});
