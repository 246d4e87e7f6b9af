import { applyEffects } from '../effects.js';
import { handler, result } from '../handler.js';

export const createGroup = handler('create_group', async ({ conn, deps }, data) => {
  const r = await deps.seaking.call('seaking.createGroup', { user_id: conn.userId, name: data.name, member_ids: data.member_ids });
  applyEffects(deps, r.effects);
  return result({ group: r.group, conversation_id: r.conversation_id });
}, { cost: 10 });

export const getGroups = handler('get_groups', async ({ conn, deps }) => {
  return result(await deps.seaking.call('seaking.getUserGroups', { user_id: conn.userId }));
});

export const getGroupInfo = handler('get_group_info', async ({ conn, deps }, data) => {
  return result(await deps.seaking.call('seaking.getGroupInfo', { user_id: conn.userId, group_id: data.group_id }));
});

export const getGroupMembers = handler('get_group_members', async ({ conn, deps }, data) => {
  return result(await deps.seaking.call('seaking.getGroupMembers', { user_id: conn.userId, group_id: data.group_id }));
});

/** New members start reading after the conversation's current max_seq. */
export const addGroupMembers = handler('add_group_members', async ({ conn, deps }, data) => {
  const { group } = await deps.seaking.call('seaking.getGroupInfo', { user_id: conn.userId, group_id: data.group_id });
  const { states } = await deps.relay.call('relay.getConversationStates', {
    user_id: conn.userId,
    conversations: [{ conversation_id: group.conversation_id, join_seq: 0 }],
  });
  const r = await deps.seaking.call('seaking.addGroupMembers', {
    user_id: conn.userId,
    group_id: data.group_id,
    user_ids: data.user_ids,
    join_seq: states[0]?.max_seq ?? 0,
  });
  applyEffects(deps, r.effects);
  return result({ added: r.added });
}, { cost: 5 });

export const removeGroupMember = handler('remove_group_member', async ({ conn, deps }, data) => {
  const r = await deps.seaking.call('seaking.removeGroupMember', { user_id: conn.userId, group_id: data.group_id, target_id: data.user_id });
  applyEffects(deps, r.effects);
  return result();
});

export const leaveGroup = handler('leave_group', async ({ conn, deps }, data) => {
  const r = await deps.seaking.call('seaking.leaveGroup', { user_id: conn.userId, group_id: data.group_id });
  applyEffects(deps, r.effects);
  return result();
});

export const updateGroup = handler('update_group', async ({ conn, deps }, data) => {
  const r = await deps.seaking.call('seaking.updateGroup', { user_id: conn.userId, group_id: data.group_id, name: data.name, announcement: data.announcement });
  applyEffects(deps, r.effects);
  return result({ group: r.group });
});

export const setGroupRole = handler('set_group_role', async ({ conn, deps }, data) => {
  const r = await deps.seaking.call('seaking.setGroupRole', { user_id: conn.userId, group_id: data.group_id, target_id: data.user_id, role: data.role });
  applyEffects(deps, r.effects);
  return result();
});

export const transferGroupOwner = handler('transfer_group_owner', async ({ conn, deps }, data) => {
  const r = await deps.seaking.call('seaking.transferGroupOwner', { user_id: conn.userId, group_id: data.group_id, target_id: data.user_id });
  applyEffects(deps, r.effects);
  return result();
});

export const dissolveGroup = handler('dissolve_group', async ({ conn, deps }, data) => {
  const r = await deps.seaking.call('seaking.dissolveGroup', { user_id: conn.userId, group_id: data.group_id });
  applyEffects(deps, r.effects);
  return result();
});
