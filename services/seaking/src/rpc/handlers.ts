import type { Handlers } from '@im/rpc';
import type { SeakingParams, SeakingResults } from '@im/protocol';
import type { LoginCodesService } from '../domain/accounts/codes-service.js';
import type { AccountsService } from '../domain/accounts/service.js';
import type { ConversationsService } from '../domain/conversations/service.js';
import type { FilesService } from '../domain/files/service.js';
import type { FriendsService } from '../domain/friends/service.js';
import type { GroupsService } from '../domain/groups/service.js';
import type { MomentsService } from '../domain/moments/service.js';

export interface Services {
  accounts: AccountsService;
  loginCodes: LoginCodesService;
  friends: FriendsService;
  conversations: ConversationsService;
  groups: GroupsService;
  moments: MomentsService;
  files: FilesService;
}

/** The JSON-RPC surface: one line per method, params already validated. */
export function seakingHandlers({ accounts, loginCodes, friends, conversations, groups, moments, files }: Services): Handlers<typeof SeakingParams, SeakingResults> {
  return {
    'seaking.register': (p) => accounts.register(p),
    'seaking.login': (p) => accounts.login(p),
    'seaking.resolveAccount': (p) => accounts.resolve(p),
    'seaking.requestLoginCode': (p) => loginCodes.request(p.email),
    'seaking.loginWithCode': (p) => loginCodes.login(p.email, p.code, p.device_id, p.platform),
    'seaking.refresh': (p) => accounts.refresh(p.refresh_token),
    'seaking.logout': (p) => accounts.logout(p.session_id),
    'seaking.validateToken': (p) => accounts.validateToken(p.token),
    'seaking.checkSessions': (p) => accounts.checkSessions(p.session_ids),
    'seaking.getUserInfo': (p) => accounts.getUserInfo(p.user_ids, p.viewer_id),
    'seaking.checkAccess': (p) => conversations.checkAccess(p.user_id, p.conversation_id, p.access),
    'seaking.getConversation': async (p) => ({ conversation: await conversations.info(p.conversation_id) }),
    'seaking.getConversationMembers': async (p) => ({ conversation: await conversations.info(p.conversation_id) }),
    'seaking.createConversation': (p) => conversations.createSingle(p.user_id, p.peer_user_id),
    'seaking.getUserConversations': (p) => conversations.listForUser(p.user_id, p.after, p.limit),
    'seaking.getFriends': (p) => friends.list(p.user_id),
    'seaking.getFriendIds': (p) => friends.idsOf(p.user_ids),
    'seaking.sendFriendRequest': (p) => friends.sendRequest(p.user_id, p.to_user_id, p.message ?? ''),
    'seaking.getPendingFriendRequests': (p) => friends.listRequests(p.user_id, p.direction),
    'seaking.acceptFriendRequest': (p) => friends.accept(p.user_id, p.request_id),
    'seaking.rejectFriendRequest': (p) => friends.reject(p.user_id, p.request_id),
    'seaking.deleteFriend': (p) => friends.delete(p.user_id, p.friend_id),
    'seaking.setFriendRemark': (p) => friends.setRemark(p.user_id, p.friend_id, p.remark),
    'seaking.blockUser': (p) => friends.block(p.user_id, p.target_id),
    'seaking.unblockUser': (p) => friends.unblock(p.user_id, p.target_id),
    'seaking.getBlocked': (p) => friends.blocked(p.user_id),
    'seaking.getVisibleUsers': (p) => friends.visible(p.user_id, p.user_ids),
    'seaking.updateProfile': (p) => accounts.updateProfile(p.user_id, p),
    'seaking.searchUsers': (p) => accounts.search(p.query, p.limit, p.user_id),
    'seaking.createGroup': (p) => groups.create(p.user_id, p.name, p.member_ids),
    'seaking.getUserGroups': (p) => groups.list(p.user_id),
    'seaking.getGroupInfo': (p) => groups.info(p.user_id, p.group_id),
    'seaking.getGroupMembers': (p) => groups.members(p.user_id, p.group_id),
    'seaking.addGroupMembers': (p) => groups.addMembers(p.user_id, p.group_id, p.user_ids, p.join_seq),
    'seaking.removeGroupMember': (p) => groups.removeMember(p.user_id, p.group_id, p.target_id),
    'seaking.leaveGroup': (p) => groups.leave(p.user_id, p.group_id),
    'seaking.updateGroup': (p) => groups.update(p.user_id, p.group_id, p),
    'seaking.setGroupRole': (p) => groups.setRole(p.user_id, p.group_id, p.target_id, p.role),
    'seaking.transferGroupOwner': (p) => groups.transfer(p.user_id, p.group_id, p.target_id),
    'seaking.dissolveGroup': (p) => groups.dissolve(p.user_id, p.group_id),
    'seaking.postMoment': (p) => moments.post(p.user_id, p),
    'seaking.getTimeline': (p) => moments.timeline(p.user_id, p.before, p.limit),
    'seaking.getUserMoments': (p) => moments.ofUser(p.user_id, p.target_id, p.before, p.limit),
    'seaking.likeMoment': (p) => moments.like(p.user_id, p.moment_id),
    'seaking.unlikeMoment': (p) => moments.unlike(p.user_id, p.moment_id),
    'seaking.commentMoment': (p) => moments.comment(p.user_id, p.moment_id, p.content, p.reply_to_comment_id),
    'seaking.deleteMoment': (p) => moments.deleteMoment(p.user_id, p.moment_id),
    'seaking.deleteComment': (p) => moments.deleteComment(p.user_id, p.comment_id),
    'seaking.getReadableConversations': (p) => conversations.readable(p.user_id),
    'seaking.setConversationPrefs': (p) => conversations.setPrefs(p.user_id, p.conversation_id, p),
    'seaking.beginUpload': (p) => files.begin(p.user_id, p.name, p.mime),
    'seaking.completeUpload': (p) => files.complete(p.user_id, p.file_id, p.size, p.sha256),
    'seaking.abortUpload': (p) => files.abort(p.user_id, p.file_id),
    'seaking.getFile': (p) => files.get(p.file_id),
  };
}
