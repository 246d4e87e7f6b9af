import { z } from 'zod';
import type { CommandName, CommandResults } from './commands.js';
import type { UploadedFile } from './models.js';

/**
 * Zod schemas of what the server sends: the records of models.ts and the reply of every
 * command. They exist to generate the machine-readable documents (JSON Schema, AsyncAPI,
 * OpenAPI) from one source; the type check at the bottom keeps them equal to the
 * TypeScript interfaces the code uses.
 */

const Str = z.string();
const Int = z.number().int();
const Empty = z.object({}).strict();

export const UserSchema = z.object({
  user_id: Str,
  username: Str,
  nickname: Str,
  avatar: Str,
  created_at: Int,
  phone: Str.nullable().optional().describe('only in one’s own record'),
  email: Str.nullable().optional().describe('only in one’s own record'),
});

export const TagValue = z.array(Str);

export const EventSchema = z.object({
  id: Str.describe('lowercase hex SHA-256, 64 characters'),
  conversation_id: Str,
  seq: Int.min(1),
  sender_id: Str,
  kind: Int,
  content: Str,
  tags: z.array(TagValue),
  cid: Str,
  created_at: Int,
  edited_at: Int.optional(),
  revoked_at: Int.optional(),
  reactions: z.record(Str, z.array(Str)).optional(),
});

export const TransientEventSchema = z.object({
  conversation_id: Str,
  sender_id: Str,
  kind: z.union([z.literal(10), z.literal(11)]),
  content: Str,
  tags: z.array(TagValue),
  created_at: Int,
});

export const AckSchema = z.object({ event_id: Str, conversation_id: Str, seq: Int, created_at: Int, cid: Str, duplicate: z.boolean() });
export const ReadAckSchema = z.object({ conversation_id: Str, read_seq: Int });

export const ConversationSchema = z.object({
  conversation_id: Str,
  type: z.enum(['single', 'group']),
  peer_user_id: Str.optional(),
  group_id: Str.optional(),
  name: Str,
  max_seq: Int,
  read_seq: Int,
  unread: Int,
  last_event: EventSchema.nullable(),
  updated_at: Int,
  pinned: z.boolean(),
  muted: z.boolean(),
});

export const MemberSchema = z.object({ user_id: Str, role: z.enum(['owner', 'admin', 'member']), joined_at: Int });
export const FriendRequestSchema = z.object({
  request_id: Str,
  from_user_id: Str,
  to_user_id: Str,
  message: Str,
  status: z.enum(['pending', 'accepted', 'rejected']),
  created_at: Int,
});
export const FriendSchema = z.object({ user_id: Str, username: Str, nickname: Str, avatar: Str, remark: Str, since: Int, online: z.boolean() });
export const GroupSchema = z.object({
  group_id: Str,
  name: Str,
  owner_id: Str,
  conversation_id: Str,
  member_count: Int,
  announcement: Str,
  created_at: Int,
  dissolved_at: Int.optional(),
});
export const SessionSchema = z.object({ token: Str, expires_at: Int, refresh_token: Str, device_id: Str, user: UserSchema });
export const UploadedFileSchema = z.object({
  file_id: Str,
  url: Str.describe('GET it for the file: /api/files/{file_id} on this gateway'),
  size: Int.min(0),
  mime: Str,
  sha256: Str.regex(/^[0-9a-f]{64}$/),
});
export const ErrorBodySchema = z.object({ code: Str, message: Str, field: Str.optional() });
export const NoticeSchema = z.looseObject({ type: Str }).describe('contract section 6: {type, ...}');
export const PresenceSchema = z.object({ user_id: Str, online: z.boolean(), last_seen: Int.nullable() });
export const MomentCommentSchema = z.object({
  comment_id: Str,
  user_id: Str,
  content: Str,
  reply_to_comment_id: Str.nullable().describe('the comment answered; null for a top-level comment'),
  reply_to_user_id: Str.nullable().describe('the author of the comment answered; null for a top-level comment'),
  created_at: Int,
});
export const MomentSchema = z.object({
  moment_id: Str,
  user_id: Str,
  content: Str,
  images: z.array(Str),
  location: z.object({ name: Str, lat: z.number(), lng: z.number() }).nullable(),
  visibility: z.enum(['public', 'friends', 'private']),
  created_at: Int,
  likes: z.array(Str).describe('user ids, in the order the likes were made'),
  comments: z.array(MomentCommentSchema).describe('in the order they were made'),
});
export const MomentPageSchema = z.object({ moments: z.array(MomentSchema), next_cursor: Str.nullable().describe('null after the last page') });

export const ResultSchemas = {
  ping: z.object({ ts: Int }),
  event: z.union([AckSchema, ReadAckSchema, Empty]).describe('an ack for stored kinds, {conversation_id, read_seq} for kind 10, {} for kind 11'),
  sync: z.object({ events: z.array(EventSchema), has_more: z.boolean(), max_seq: Int }),
  subscribe: Empty,
  unsubscribe: Empty,
  get_conversations: z.object({ conversations: z.array(ConversationSchema), next_cursor: Str.nullable() }),
  create_conversation: z.object({ conversation: ConversationSchema }),
  get_conversation_members: z.object({ members: z.array(MemberSchema) }),
  get_friends: z.object({ friends: z.array(FriendSchema) }),
  send_friend_request: z.object({ request_id: Str, status: z.enum(['pending', 'accepted']) }),
  get_friend_requests: z.object({ requests: z.array(FriendRequestSchema) }),
  accept_friend_request: z.object({ conversation_id: Str }),
  reject_friend_request: Empty,
  delete_friend: Empty,
  set_friend_remark: Empty,
  block_user: Empty,
  unblock_user: Empty,
  get_blocked: z.object({ user_ids: z.array(Str) }),
  create_group: z.object({ group: GroupSchema, conversation_id: Str }),
  get_groups: z.object({ groups: z.array(GroupSchema) }),
  get_group_info: z.object({ group: GroupSchema }),
  get_group_members: z.object({ members: z.array(MemberSchema) }),
  add_group_members: z.object({ added: z.array(Str) }),
  remove_group_member: Empty,
  leave_group: Empty,
  update_group: z.object({ group: GroupSchema }),
  set_group_role: Empty,
  transfer_group_owner: Empty,
  dissolve_group: Empty,
  get_user_info: z.object({ users: z.array(UserSchema) }),
  update_profile: z.object({ user: UserSchema }),
  get_presence: z.object({ presence: z.array(PresenceSchema) }),
  search_users: z.object({ users: z.array(UserSchema) }),
  post_moment: z.object({ moment: MomentSchema }),
  get_timeline: MomentPageSchema,
  get_user_moments: MomentPageSchema,
  like_moment: Empty,
  unlike_moment: Empty,
  comment_moment: z.object({ comment: MomentCommentSchema }),
  delete_moment: Empty,
  delete_comment: Empty,
  search_messages: z.object({ events: z.array(EventSchema), next_cursor: Str.nullable() }),
  get_read_receipts: z.object({ read: z.array(Str), unread: z.array(Str) }),
  hide_event: Empty,
  set_conversation_prefs: Empty,
} as const satisfies Record<CommandName, z.ZodType>;

// Compile-time: every command has a result schema, and each schema's type and the
// interface in CommandResults accept each other, so the two cannot drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Checked = { [C in CommandName]: Same<z.output<(typeof ResultSchemas)[C]>, CommandResults[C]> extends true ? true : C };
const resultsMatch: Checked[CommandName] extends true ? true : never = true;
void resultsMatch;
const uploadedFileMatches: Same<z.output<typeof UploadedFileSchema>, UploadedFile> = true;
void uploadedFileMatches;
