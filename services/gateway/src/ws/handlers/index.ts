import type { CommandName } from '@im/protocol';
import type { Handler } from '../handler.js';
import { createConversation } from './create-conversation.js';
import { event } from './event.js';
import {
  acceptFriendRequest,
  blockUser,
  deleteFriend,
  getBlocked,
  getFriendRequests,
  getFriends,
  rejectFriendRequest,
  sendFriendRequest,
  setFriendRemark,
  unblockUser,
} from './friends.js';
import {
  addGroupMembers,
  createGroup,
  dissolveGroup,
  getGroupInfo,
  getGroupMembers,
  getGroups,
  leaveGroup,
  removeGroupMember,
  setGroupRole,
  transferGroupOwner,
  updateGroup,
} from './groups.js';
import { getConversationMembers } from './get-conversation-members.js';
import { commentMoment, deleteComment, deleteMoment, getTimeline, getUserMoments, likeMoment, postMoment, unlikeMoment } from './moments.js';
import { getConversations } from './get-conversations.js';
import { getReadReceipts } from './get-read-receipts.js';
import { hideEvent } from './hide-event.js';
import { searchMessages } from './search-messages.js';
import { setConversationPrefs } from './set-conversation-prefs.js';
import { ping } from './ping.js';
import { subscribe, unsubscribe } from './subscribe.js';
import { sync } from './sync.js';
import { getPresence, getUserInfo, searchUsers, updateProfile } from './users.js';

const all: Handler[] = [
  ping,
  event,
  sync,
  subscribe,
  unsubscribe,
  getConversations,
  createConversation,
  getConversationMembers,
  getFriends,
  sendFriendRequest,
  getFriendRequests,
  acceptFriendRequest,
  rejectFriendRequest,
  deleteFriend,
  setFriendRemark,
  blockUser,
  unblockUser,
  getBlocked,
  createGroup,
  getGroups,
  getGroupInfo,
  getGroupMembers,
  addGroupMembers,
  removeGroupMember,
  leaveGroup,
  updateGroup,
  setGroupRole,
  transferGroupOwner,
  dissolveGroup,
  getUserInfo,
  updateProfile,
  searchUsers,
  getPresence,
  postMoment,
  getTimeline,
  getUserMoments,
  likeMoment,
  unlikeMoment,
  commentMoment,
  deleteMoment,
  deleteComment,
  searchMessages,
  getReadReceipts,
  hideEvent,
  setConversationPrefs,
];

/** The command table: one handler per command name. */
export const handlers: ReadonlyMap<string, Handler> = new Map(all.map((h) => [h.name as CommandName, h]));
