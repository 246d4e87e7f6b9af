import { z } from 'zod';
import { Announcement, Avatar, Cid, Cursor, Empty, EventId, GroupName, Id, MessageQuery, Nickname, Remark, RequestMessage, SearchKinds, SearchQuery, Seq, TagsSchema } from './common.js';
import { Limits } from './limits.js';
import { CommentMomentFields, MomentPageFields, PostMomentFields } from './moments.js';
import { boundedList } from './validate.js';

/**
 * The `data` schema of every client command (contract sections 2-5). The gateway validates
 * each frame's data against these once, at the edge; the SDK uses the inferred types.
 */

const ConversationRef = z.object({ conversation_id: Id });
const UserRef = z.object({ user_id: Id });
const RequestRef = z.object({ request_id: Id });
const GroupRef = z.object({ group_id: Id });
const MomentRef = z.object({ moment_id: Id });

export const EventData = z.object({
  conversation_id: Id,
  kind: z.number().int().min(0).max(65535),
  content: z.string(),
  tags: TagsSchema.optional(),
  cid: Cid.optional(),
});

export const SyncData = z
  .object({
    conversation_id: Id,
    after_seq: Seq.optional(),
    before_seq: Seq.min(1).optional(),
    limit: z.number().int().min(1).max(Limits.syncMaxLimit).optional(),
  })
  .refine((d) => d.after_seq === undefined || d.before_seq === undefined, {
    message: 'give after_seq or before_seq, not both',
    path: ['before_seq'],
  });

const Millis = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const SearchMessagesData = z.object({
  query: MessageQuery,
  conversation_id: Id.optional(),
  sender_id: Id.optional(),
  kinds: SearchKinds.optional(),
  /** Only events created before / after these times (ms), exclusive. */
  before: Millis.optional(),
  after: Millis.optional(),
  limit: z.number().int().min(1).max(Limits.searchMaxLimit).optional(),
  cursor: Cursor.optional(),
});

export const CommandSchemas = {
  ping: z.unknown(),
  event: EventData,
  sync: SyncData,
  subscribe: ConversationRef,
  unsubscribe: ConversationRef,

  get_conversations: z
    .object({
      limit: z.number().int().min(1).max(Limits.conversationsMaxLimit).optional(),
      /** The `next_cursor` of the previous page. */
      before: z.string().min(1).max(512).optional(),
    })
    .optional(),
  create_conversation: z.object({ peer_user_id: Id }),
  get_conversation_members: ConversationRef,

  get_friends: Empty,
  send_friend_request: z.object({ user_id: Id, message: RequestMessage.optional() }),
  get_friend_requests: z.object({ direction: z.enum(['incoming', 'outgoing']).optional() }).optional(),
  accept_friend_request: RequestRef,
  reject_friend_request: RequestRef,
  delete_friend: UserRef,

  set_friend_remark: z.object({ user_id: Id, remark: Remark }),

  block_user: UserRef,
  unblock_user: UserRef,
  get_blocked: Empty,

  create_group: z.object({ name: GroupName, member_ids: boundedList(Id, Limits.groupListMax, 'member_ids') }),
  get_groups: Empty,
  get_group_info: GroupRef,
  get_group_members: GroupRef,
  add_group_members: z.object({ group_id: Id, user_ids: boundedList(Id, Limits.groupListMax, 'user_ids').min(1) }),
  remove_group_member: z.object({ group_id: Id, user_id: Id }),
  leave_group: GroupRef,
  update_group: z.object({ group_id: Id, name: GroupName.optional(), announcement: Announcement.optional() }),
  set_group_role: z.object({ group_id: Id, user_id: Id, role: z.enum(['admin', 'member']) }),
  transfer_group_owner: z.object({ group_id: Id, user_id: Id }),
  dissolve_group: GroupRef,

  get_user_info: z.object({ user_ids: boundedList(Id, Limits.userInfoMaxIds, 'user_ids') }),
  update_profile: z.object({ nickname: Nickname.optional(), avatar: Avatar.optional() }),
  get_presence: z.object({ user_ids: boundedList(Id, Limits.presenceMaxIds, 'user_ids') }),
  search_users: z.object({ query: SearchQuery, limit: z.number().int().min(1).max(50).optional() }),

  post_moment: PostMomentFields,
  get_timeline: z.object(MomentPageFields).optional(),
  get_user_moments: z.object({ user_id: Id, ...MomentPageFields }),
  like_moment: MomentRef,
  unlike_moment: MomentRef,
  comment_moment: CommentMomentFields,
  delete_moment: MomentRef,
  delete_comment: z.object({ comment_id: Id }),
  search_messages: SearchMessagesData,
  get_read_receipts: z.object({ conversation_id: Id, seq: Seq.min(1) }),
  hide_event: z.object({ event_id: EventId }),
  set_conversation_prefs: z.object({ conversation_id: Id, pinned: z.boolean().optional(), muted: z.boolean().optional() }),
} as const;

export type CommandName = keyof typeof CommandSchemas;
export type CommandData<C extends CommandName> = z.input<(typeof CommandSchemas)[C]>;
export type ParsedCommandData<C extends CommandName> = z.output<(typeof CommandSchemas)[C]>;

export const COMMAND_NAMES = Object.keys(CommandSchemas) as CommandName[];

export type EventInput = z.output<typeof EventData>;
export type SyncInput = z.output<typeof SyncData>;
export type SearchMessagesInput = z.output<typeof SearchMessagesData>;

/** What each command answers with (the `data` of its `result`, `ack` or `pong`). */
export interface CommandResults {
  ping: { ts: number };
  event: import('./models.js').Ack | { conversation_id: string; read_seq: number } | Record<string, never>;
  sync: { events: import('./models.js').ImEvent[]; has_more: boolean; max_seq: number };
  subscribe: Record<string, never>;
  unsubscribe: Record<string, never>;
  get_conversations: { conversations: import('./models.js').Conversation[]; next_cursor: string | null };
  create_conversation: { conversation: import('./models.js').Conversation };
  get_conversation_members: { members: import('./models.js').ConversationMember[] };
  get_friends: { friends: import('./models.js').Friend[] };
  send_friend_request: { request_id: string; status: 'pending' | 'accepted' };
  get_friend_requests: { requests: import('./models.js').FriendRequest[] };
  accept_friend_request: { conversation_id: string };
  reject_friend_request: Record<string, never>;
  delete_friend: Record<string, never>;
  get_user_info: { users: import('./models.js').User[] };
  set_friend_remark: Record<string, never>;
  block_user: Record<string, never>;
  unblock_user: Record<string, never>;
  get_blocked: { user_ids: string[] };
  create_group: { group: import('./models.js').Group; conversation_id: string };
  get_groups: { groups: import('./models.js').Group[] };
  get_group_info: { group: import('./models.js').Group };
  get_group_members: { members: import('./models.js').ConversationMember[] };
  add_group_members: { added: string[] };
  remove_group_member: Record<string, never>;
  leave_group: Record<string, never>;
  update_group: { group: import('./models.js').Group };
  set_group_role: Record<string, never>;
  transfer_group_owner: Record<string, never>;
  dissolve_group: Record<string, never>;
  update_profile: { user: import('./models.js').User };
  search_users: { users: import('./models.js').User[] };
  get_presence: { presence: Array<{ user_id: string; online: boolean; last_seen: number | null }> };
  post_moment: { moment: import('./models.js').Moment };
  get_timeline: import('./models.js').MomentPage;
  get_user_moments: import('./models.js').MomentPage;
  like_moment: Record<string, never>;
  unlike_moment: Record<string, never>;
  comment_moment: { comment: import('./models.js').MomentComment };
  delete_moment: Record<string, never>;
  delete_comment: Record<string, never>;
  search_messages: { events: import('./models.js').ImEvent[]; next_cursor: string | null };
  get_read_receipts: { read: string[]; unread: string[] };
  hide_event: Record<string, never>;
  set_conversation_prefs: Record<string, never>;
}
