/** Records that cross the wire, as contract sections 1, 3 and 4 define them. */

export interface User {
  user_id: string;
  username: string;
  nickname: string;
  avatar: string;
  created_at: number;
  /** Only in a user's own record. */
  phone?: string | null;
  email?: string | null;
}

export type Tag = string[];

/** A stored conversation event (contract 3.3), in its current state. */
export interface ImEvent {
  id: string;
  conversation_id: string;
  seq: number;
  sender_id: string;
  kind: number;
  content: string;
  tags: Tag[];
  cid: string;
  created_at: number;
  edited_at?: number;
  revoked_at?: number;
  reactions?: Record<string, string[]>;
}

/** The short form pushed for kinds 10 (read) and 11 (typing): no id, seq or cid. */
export interface TransientEvent {
  conversation_id: string;
  sender_id: string;
  kind: number;
  content: string;
  tags: Tag[];
  created_at: number;
}

export interface Ack {
  event_id: string;
  conversation_id: string;
  seq: number;
  created_at: number;
  cid: string;
  duplicate: boolean;
}

export type ConversationType = 'single' | 'group';

export interface Conversation {
  conversation_id: string;
  type: ConversationType;
  peer_user_id?: string;
  group_id?: string;
  name: string;
  max_seq: number;
  read_seq: number;
  unread: number;
  last_event: ImEvent | null;
  updated_at: number;
  /** The member's own preferences: pinned ones come first in get_conversations. */
  pinned: boolean;
  muted: boolean;
}

export type MemberRole = 'owner' | 'admin' | 'member';

export interface ConversationMember {
  user_id: string;
  role: MemberRole;
  joined_at: number;
}

export type FriendRequestStatus = 'pending' | 'accepted' | 'rejected';

export interface FriendRequest {
  request_id: string;
  from_user_id: string;
  to_user_id: string;
  message: string;
  status: FriendRequestStatus;
  created_at: number;
}

export interface Friend {
  user_id: string;
  username: string;
  nickname: string;
  avatar: string;
  remark: string;
  since: number;
  online: boolean;
}

export interface Group {
  group_id: string;
  name: string;
  owner_id: string;
  conversation_id: string;
  member_count: number;
  announcement: string;
  created_at: number;
  /** Present once the group is dissolved. */
  dissolved_at?: number;
}

export interface Session {
  token: string;
  expires_at: number;
  refresh_token: string;
  device_id: string;
  user: User;
}

export type MomentVisibility = 'public' | 'friends' | 'private';

export interface MomentLocation {
  name: string;
  lat: number;
  lng: number;
}

/** A comment on a moment (contract 5); `reply_to_*` are null for a top-level comment. */
export interface MomentComment {
  comment_id: string;
  user_id: string;
  content: string;
  /** Our addition: the comment this one answers, kept even after that comment is deleted. */
  reply_to_comment_id: string | null;
  reply_to_user_id: string | null;
  created_at: number;
}

/** A moment as its viewer may see it: likes and comments in the order they were made. */
export interface Moment {
  moment_id: string;
  user_id: string;
  content: string;
  images: string[];
  location: MomentLocation | null;
  visibility: MomentVisibility;
  created_at: number;
  likes: string[];
  comments: MomentComment[];
}

/** A page of moments, newest first; `next_cursor` is null after the last page. */
export interface MomentPage {
  moments: Moment[];
  next_cursor: string | null;
}

/** A change that concerns a user, pushed as a `notice` frame (contract section 6; protocol.md 5.3 for the last two). */
export type Notice =
  | { type: 'friend_request'; request: FriendRequest }
  | { type: 'friend_accepted'; user_id: string; conversation_id: string }
  | { type: 'friend_deleted'; user_id: string }
  | { type: 'group_joined'; group: Group }
  | { type: 'group_removed'; group_id: string }
  | { type: 'group_updated'; group: Group }
  | { type: 'group_dissolved'; group_id: string }
  | { type: 'presence'; user_id: string; online: boolean; last_seen: number | null }
  | { type: 'moment_liked'; moment_id: string; user_id: string }
  | { type: 'moment_commented'; moment_id: string; user_id: string; comment: MomentComment }
  | { type: 'event_hidden'; conversation_id: string; event_id: string }
  | { type: 'conversation_prefs'; conversation_id: string; pinned: boolean; muted: boolean };

/** The type of a notice. */
export type NoticeType = Notice['type'];

/** An uploaded file, as POST /api/files answers. */
export interface UploadedFile {
  file_id: string;
  url: string;
  size: number;
  mime: string;
  sha256: string;
}
