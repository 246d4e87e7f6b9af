/** Limits of the external contract. Configurable ones are defaults. */
export const Limits = {
  maxFrameBytes: 65536,
  /** A stored event, server-added tags included, encodes to at most 4 × max_frame_bytes. */
  maxEventBytes: 4 * 65536,
  maxContentBytes: 16384,
  maxTags: 32,
  maxTagStrings: 16,
  maxTagStringBytes: 1024,
  cidMaxLength: 64,
  syncDefaultLimit: 50,
  syncMaxLimit: 200,
  conversationsDefaultLimit: 100,
  conversationsMaxLimit: 500,
  userInfoMaxIds: 100,
  presenceMaxIds: 200,
  friendRequestMessageMax: 256,
  remarkMax: 64,
  groupNameMax: 64,
  maxGroupSize: 500,
  /** Hard cap on member lists in one request, whatever max_group_size is configured. */
  groupListMax: 10000,
  announcementMax: 4096,
  avatarMax: 1024,
  momentContentMax: 4096,
  momentImagesMax: 9,
  momentImageUrlMax: 1024,
  locationNameMax: 128,
  commentContentMax: 1024,
  momentPageDefault: 20,
  momentPageMax: 50,
  searchQueryMax: 128,
  searchDefaultLimit: 20,
  searchMaxLimit: 50,
  /** Ids one internal call may name: a user's whole conversation list, a group's whole member list. */
  conversationListMax: 100000,
  fileNameMax: 255,
  mimeMax: 255,
  /** Default of MAX_FILE_BYTES: 25 MiB. */
  maxFileBytes: 25 * 1024 * 1024,
  badFramesPerMinute: 10,
  eventRate: 50,
  maxConnPerUser: 5,
  /** Client-chosen request ids are integers 1..2^32-1. */
  maxRequestId: 0xffffffff,
} as const;

export const PROTOCOL_VERSION = 1;
