import { z } from 'zod';
import { Limits } from './limits.js';
import { boundedBytes, boundedList, hasNul, shortText } from './validate.js';

/** Server-chosen opaque ids. */
export const Id = z.string().min(1).max(64).refine((v) => !hasNul(v), 'must not contain NUL characters or unpaired surrogates');
export const Seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const Cid = z.string().min(1).max(Limits.cidMaxLength).refine((v) => !hasNul(v), 'must not contain NUL characters or unpaired surrogates');

export const TagSchema = boundedList(
  boundedBytes(0, Limits.maxTagStringBytes, 'a tag string'),
  Limits.maxTagStrings,
  'a tag',
).refine((tag) => tag.length > 0, 'a tag must not be empty');

export const TagsSchema = boundedList(TagSchema, Limits.maxTags, 'tags');

export const Username = z.string().min(3).max(32).regex(/^[A-Za-z0-9_.-]+$/, 'may contain only letters, digits, "_", "." and "-"');
export const Password = shortText(8, 128);
export const Nickname = shortText(1, 64);
export const Phone = z.string().regex(/^\+\d{6,20}$/, 'must be "+" followed by 6 to 20 digits');
export const Email = z.email().max(254);
export const DeviceId = shortText(1, 64);
export const Platform = z.enum(['ios', 'android', 'web', 'desktop', 'other']);

export const Empty = z.object({}).optional();

/** Short fields of contract 0: a NUL or an unpaired surrogate in any of them is `bad_request`. */
export const GroupName = shortText(1, Limits.groupNameMax);
export const Remark = shortText(0, Limits.remarkMax);
export const RequestMessage = shortText(0, Limits.friendRequestMessageMax);
export const Announcement = shortText(0, Limits.announcementMax);
export const Avatar = shortText(0, Limits.avatarMax);
export const SearchQuery = shortText(1, 64);
export const EventId = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters');
export const MessageQuery = shortText(1, Limits.searchQueryMax);
/** Kinds a message search may be narrowed to: text and file. */
export const SearchKinds = z
  .array(z.number().int().refine((k) => k === 1 || k === 3, 'must be 1 (text) or 3 (file)'))
  .min(1)
  .max(2);
/** An opaque paging cursor handed out by the server. */
export const Cursor = z.string().min(1).max(512).regex(/^[A-Za-z0-9_-]+$/, 'is not a cursor this server handed out');
/** A conversation with the reader's join point: they read only events above it. */
export const ReadableConversation = z.object({ conversation_id: Id, join_seq: Seq });
export const ReadableConversations = boundedList(ReadableConversation, Limits.conversationListMax, 'conversations');
