import type { CommandName } from '@im/protocol';
import type { Handler } from '../handler.js';
import { createConversation } from './create-conversation.js';
import { event } from './event.js';
import { acceptFriendRequest, deleteFriend, getFriendRequests, getFriends, rejectFriendRequest, sendFriendRequest } from './friends.js';
import { getConversationMembers } from './get-conversation-members.js';
import { getConversations } from './get-conversations.js';
import { ping } from './ping.js';
import { subscribe, unsubscribe } from './subscribe.js';
import { sync } from './sync.js';
import { getUserInfo } from './users.js';

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
  getUserInfo,
];

/** The command table: one handler per command name. */
export const handlers: ReadonlyMap<string, Handler> = new Map(all.map((h) => [h.name as CommandName, h]));
