import type { Handlers } from '@im/rpc';
import type { SeakingParams, SeakingResults } from '@im/protocol';
import type { AccountsService } from '../domain/accounts/service.js';
import type { ConversationsService } from '../domain/conversations/service.js';
import type { FriendsService } from '../domain/friends/service.js';

export interface Services {
  accounts: AccountsService;
  friends: FriendsService;
  conversations: ConversationsService;
}

/** The JSON-RPC surface: one line per method, params already validated. */
export function seakingHandlers({ accounts, friends, conversations }: Services): Handlers<typeof SeakingParams, SeakingResults> {
  return {
    'seaking.register': (p) => accounts.register(p),
    'seaking.login': (p) => accounts.login(p),
    'seaking.refresh': (p) => accounts.refresh(p.refresh_token),
    'seaking.logout': (p) => accounts.logout(p.session_id),
    'seaking.validateToken': (p) => accounts.validateToken(p.token),
    'seaking.getUserInfo': (p) => accounts.getUserInfo(p.user_ids, p.viewer_id),
    'seaking.checkAccess': (p) => conversations.checkAccess(p.user_id, p.conversation_id, p.access),
    'seaking.getConversation': async (p) => ({ conversation: await conversations.info(p.conversation_id) }),
    'seaking.getConversationMembers': async (p) => ({ conversation: await conversations.info(p.conversation_id) }),
    'seaking.createConversation': (p) => conversations.createSingle(p.user_id, p.peer_user_id),
    'seaking.getUserConversations': (p) => conversations.listForUser(p.user_id),
    'seaking.getFriends': (p) => friends.list(p.user_id),
    'seaking.sendFriendRequest': (p) => friends.sendRequest(p.user_id, p.to_user_id, p.message ?? ''),
    'seaking.getPendingFriendRequests': (p) => friends.listRequests(p.user_id, p.direction),
    'seaking.acceptFriendRequest': (p) => friends.accept(p.user_id, p.request_id),
    'seaking.rejectFriendRequest': (p) => friends.reject(p.user_id, p.request_id),
    'seaking.deleteFriend': (p) => friends.delete(p.user_id, p.friend_id),
  };
}
