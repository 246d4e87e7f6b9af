import { z } from 'zod';
import { Announcement, Avatar, GroupName, Id, Nickname, Remark, RequestMessage, SearchQuery, Seq } from './common.js';
import { FileName, MediaType } from './files.js';
import { AuthCodeBody, CodeLoginBody, LoginBody, RegisterBody, RefreshBody } from './http.js';
import { Limits } from './limits.js';
import type { ConversationMember, ConversationType, Friend, FriendRequest, Group, Moment, MomentComment, MomentPage, Notice, Session, User } from './models.js';
import { CommentMomentFields, decodeMomentCursor, MomentCursor, MomentPageLimit, PostMomentFields } from './moments.js';
import { boundedList } from './validate.js';

/**
 * seaking's JSON-RPC methods (contract section 7): the params schema each side validates,
 * and the result type. The acting user is always named explicitly (`user_id`): seaking
 * trusts its callers, which present the internal token.
 */

/** A notice to deliver to every open socket of the given users. */
export interface NoticeDelivery {
  user_ids: string[];
  notice: Notice;
}

/** What a mutation changed that the gateway must act on: notices to push, caches to drop. */
export interface Effects {
  notices: NoticeDelivery[];
  conversations: string[];
}

const Acting = { user_id: Id };

/** seaking receives the position a cursor names; the gateway passes the cursor as it came. */
const PageParams = {
  before: MomentCursor.transform((c) => decodeMomentCursor(c)!).optional(),
  limit: MomentPageLimit.default(Limits.momentPageDefault),
};

export const SeakingParams = {
  'seaking.register': RegisterBody,
  'seaking.login': LoginBody.and(z.object({ client_ip: z.string().max(64).optional() })),
  /** Which account a login names, for throttling per account whatever identifier was typed. */
  'seaking.resolveAccount': z
    .object({ username: z.string().max(64).optional(), phone: z.string().max(32).optional(), email: z.string().max(254).optional() })
    .refine((b) => [b.username, b.phone, b.email].filter((v) => v !== undefined).length === 1, { message: 'give exactly one of username, phone or email', path: ['username'] }),
  'seaking.requestLoginCode': AuthCodeBody,
  'seaking.loginWithCode': CodeLoginBody,
  'seaking.refresh': RefreshBody,
  'seaking.logout': z.object({ session_id: Id }),
  'seaking.validateToken': z.object({ token: z.string().min(1).max(4096) }),
  /** Which of these sessions are no longer live (revoked or unknown): gateways re-check their sockets. */
  'seaking.checkSessions': z.object({ session_ids: z.array(Id).max(1000) }),
  'seaking.getUserInfo': z.object({ user_ids: boundedList(Id, Limits.userInfoMaxIds, 'user_ids'), viewer_id: Id.optional() }),
  'seaking.checkAccess': z.object({ ...Acting, conversation_id: Id, access: z.enum(['read', 'write']).default('read') }),
  'seaking.getConversation': z.object({ conversation_id: Id }),
  'seaking.getConversationMembers': z.object({ conversation_id: Id }),
  'seaking.createConversation': z.object({ ...Acting, peer_user_id: Id }),
  /** A user's conversations by conversation_id, a page at a time: callers loop for any number. */
  'seaking.getUserConversations': z.object({ ...Acting, after: Id.optional(), limit: z.number().int().min(1).max(10000).default(10000) }),
  'seaking.getFriends': z.object(Acting),
  /** The friends of each of these users, as ids only: presence notices for a burst of sockets in one call. */
  'seaking.getFriendIds': z.object({ user_ids: z.array(Id).max(1000) }),
  'seaking.sendFriendRequest': z.object({ ...Acting, to_user_id: Id, message: RequestMessage.optional() }),
  'seaking.getPendingFriendRequests': z.object({ ...Acting, direction: z.enum(['incoming', 'outgoing']).default('incoming') }),
  'seaking.acceptFriendRequest': z.object({ ...Acting, request_id: Id }),
  'seaking.rejectFriendRequest': z.object({ ...Acting, request_id: Id }),
  'seaking.deleteFriend': z.object({ ...Acting, friend_id: Id }),
  'seaking.setFriendRemark': z.object({ ...Acting, friend_id: Id, remark: Remark }),
  'seaking.blockUser': z.object({ ...Acting, target_id: Id }),
  'seaking.unblockUser': z.object({ ...Acting, target_id: Id }),
  'seaking.getBlocked': z.object(Acting),
  'seaking.getVisibleUsers': z.object({ ...Acting, user_ids: boundedList(Id, Limits.presenceMaxIds, 'user_ids') }),
  'seaking.updateProfile': z.object({ ...Acting, nickname: Nickname.optional(), avatar: Avatar.optional() }),
  'seaking.searchUsers': z.object({ ...Acting, query: SearchQuery, limit: z.number().int().min(1).max(50).default(20) }),
  'seaking.createGroup': z.object({ ...Acting, name: GroupName, member_ids: boundedList(Id, Limits.groupListMax, 'member_ids') }),
  'seaking.getUserGroups': z.object(Acting),
  'seaking.getGroupInfo': z.object({ ...Acting, group_id: Id }),
  'seaking.getGroupMembers': z.object({ ...Acting, group_id: Id }),
  'seaking.addGroupMembers': z.object({
    ...Acting,
    group_id: Id,
    user_ids: boundedList(Id, Limits.groupListMax, 'user_ids'),
    /** The conversation's max_seq now: the new members read only what comes after. */
    join_seq: Seq,
  }),
  'seaking.removeGroupMember': z.object({ ...Acting, group_id: Id, target_id: Id }),
  'seaking.leaveGroup': z.object({ ...Acting, group_id: Id }),
  'seaking.updateGroup': z.object({ ...Acting, group_id: Id, name: GroupName.optional(), announcement: Announcement.optional() }),
  'seaking.setGroupRole': z.object({ ...Acting, group_id: Id, target_id: Id, role: z.enum(['admin', 'member']) }),
  'seaking.transferGroupOwner': z.object({ ...Acting, group_id: Id, target_id: Id }),
  'seaking.dissolveGroup': z.object({ ...Acting, group_id: Id }),
  'seaking.postMoment': z.object(Acting).and(PostMomentFields),
  'seaking.getTimeline': z.object({ ...Acting, ...PageParams }),
  'seaking.getUserMoments': z.object({ ...Acting, target_id: Id, ...PageParams }),
  'seaking.likeMoment': z.object({ ...Acting, moment_id: Id }),
  'seaking.unlikeMoment': z.object({ ...Acting, moment_id: Id }),
  'seaking.commentMoment': z.object(Acting).and(CommentMomentFields),
  'seaking.deleteMoment': z.object({ ...Acting, moment_id: Id }),
  'seaking.deleteComment': z.object({ ...Acting, comment_id: Id }),
  'seaking.getReadableConversations': z.object(Acting),
  'seaking.setConversationPrefs': z.object({ ...Acting, conversation_id: Id, pinned: z.boolean().optional(), muted: z.boolean().optional() }),
  'seaking.beginUpload': z.object({ ...Acting, name: FileName, mime: MediaType }),
  'seaking.completeUpload': z.object({
    ...Acting,
    file_id: Id,
    size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  'seaking.abortUpload': z.object({ ...Acting, file_id: Id }),
  'seaking.getFile': z.object({ file_id: Id }),
} as const;

/** A stored file's record, owned by seaking; the bytes live in the gateway's file store. */
export interface FileInfo {
  file_id: string;
  owner_id: string;
  name: string;
  mime: string;
  size: number;
  sha256: string;
  created_at: number;
}


/** A conversation as seaking knows it: who is in it and whether it takes new events. */
export interface ConversationInfo {
  conversation_id: string;
  type: ConversationType;
  group_id: string | null;
  name: string;
  created_at: number;
  /** Members with the `seq` they joined at: they read only events above it. */
  members: Array<ConversationMember & { join_seq: number }>;
  /** True when nobody may send (friendship ended, block, dissolved group). */
  read_only: boolean;
}

/** One conversation of a user's list, before the relay's counters are added. */
export interface UserConversation {
  conversation_id: string;
  type: ConversationType;
  peer_user_id: string | null;
  group_id: string | null;
  name: string;
  created_at: number;
  join_seq: number;
  pinned: boolean;
  muted: boolean;
}

export interface TokenClaims {
  user_id: string;
  session_id: string;
  expires_at: number;
}

export interface SeakingResults {
  'seaking.register': { user: User };
  /** `revoked_sessions`: earlier sessions of the device that this login replaced. */
  'seaking.login': Session & { revoked_sessions: string[] };
  'seaking.resolveAccount': { user_id: string | null };
  'seaking.requestLoginCode': Record<string, never>;
  'seaking.loginWithCode': Session & { revoked_sessions: string[] };
  /** `session` is null when the token was refused; a reused token revokes its session. */
  'seaking.refresh': { session: Session | null; revoked_sessions: string[] };
  'seaking.logout': { session_id: string; user_id: string };
  'seaking.validateToken': TokenClaims;
  'seaking.checkSessions': { revoked: string[] };
  'seaking.getUserInfo': { users: User[] };
  'seaking.checkAccess': { conversation_id: string; join_seq: number; read_only: boolean };
  'seaking.getConversation': { conversation: ConversationInfo };
  'seaking.getConversationMembers': { conversation: ConversationInfo };
  'seaking.createConversation': { conversation: UserConversation; created: boolean; effects: Effects };
  'seaking.getUserConversations': { conversations: UserConversation[]; has_more: boolean };
  'seaking.getFriends': { friends: Omit<Friend, 'online'>[] };
  /** Per user asked for, their friends' ids (an empty list for none or unknown). */
  'seaking.getFriendIds': { friends: Record<string, string[]> };
  'seaking.sendFriendRequest': { request_id: string; status: 'pending' | 'accepted'; conversation_id?: string; effects: Effects };
  'seaking.getPendingFriendRequests': { requests: FriendRequest[] };
  'seaking.acceptFriendRequest': { conversation_id: string; effects: Effects };
  'seaking.rejectFriendRequest': { effects: Effects };
  'seaking.deleteFriend': { effects: Effects };
  'seaking.setFriendRemark': Record<string, never>;
  'seaking.blockUser': { effects: Effects };
  'seaking.unblockUser': { effects: Effects };
  'seaking.getBlocked': { user_ids: string[] };
  'seaking.getVisibleUsers': { user_ids: string[] };
  'seaking.updateProfile': { user: User };
  'seaking.searchUsers': { users: User[] };
  'seaking.createGroup': { group: Group; conversation_id: string; effects: Effects };
  'seaking.getUserGroups': { groups: Group[] };
  'seaking.getGroupInfo': { group: Group };
  'seaking.getGroupMembers': { members: ConversationMember[] };
  'seaking.addGroupMembers': { added: string[]; effects: Effects };
  'seaking.removeGroupMember': { effects: Effects };
  'seaking.leaveGroup': { effects: Effects };
  'seaking.updateGroup': { group: Group; effects: Effects };
  'seaking.setGroupRole': { effects: Effects };
  'seaking.transferGroupOwner': { effects: Effects };
  'seaking.dissolveGroup': { effects: Effects };
  'seaking.postMoment': { moment: Moment };
  'seaking.getTimeline': MomentPage;
  'seaking.getUserMoments': MomentPage;
  /** `effects` carries `moment_liked` to the author when the like is new and not their own. */
  'seaking.likeMoment': { effects: Effects };
  'seaking.unlikeMoment': Record<string, never>;
  /** `effects` carries `moment_commented` to the author unless they commented themselves. */
  'seaking.commentMoment': { comment: MomentComment; effects: Effects };
  'seaking.deleteMoment': Record<string, never>;
  'seaking.deleteComment': Record<string, never>;
  /** Every conversation the user is a member of now, with their join point. */
  'seaking.getReadableConversations': { conversations: Array<{ conversation_id: string; join_seq: number }> };
  'seaking.setConversationPrefs': { conversation_id: string; pinned: boolean; muted: boolean };
  /** A file id reserved for an upload, and how many bytes the user may still upload today. */
  'seaking.beginUpload': { file_id: string; remaining_bytes: number };
  'seaking.completeUpload': { file: FileInfo };
  'seaking.abortUpload': Record<string, never>;
  'seaking.getFile': { file: FileInfo };
}

export type SeakingMethod = keyof typeof SeakingParams & keyof SeakingResults;
