import type { CommandData, CommandName, CommandResults } from '@im/protocol';

/**
 * A named, typed method for each command of the contract, over one generic `request`.
 * `request(cmd, data)` itself is typed from the protocol's CommandSchemas/CommandResults,
 * so a command added there is typed here at once, before it has a named method.
 */
export abstract class ImCommands {
  abstract request<C extends CommandName>(cmd: C, data?: CommandData<C>): Promise<CommandResults[C]>;

  // Conversations and reading (contract 3.5, 4)
  getConversations(data?: CommandData<'get_conversations'>) {
    return this.request('get_conversations', data);
  }
  createConversation(peerUserId: string) {
    return this.request('create_conversation', { peer_user_id: peerUserId });
  }
  getConversationMembers(conversationId: string) {
    return this.request('get_conversation_members', { conversation_id: conversationId });
  }
  /** Receive typing events of a conversation on this connection (again after each reconnect: ImClient does that). */
  subscribe(conversationId: string) {
    return this.request('subscribe', { conversation_id: conversationId });
  }
  unsubscribe(conversationId: string) {
    return this.request('unsubscribe', { conversation_id: conversationId });
  }

  // Search, receipts and per-member state (contract 9)
  /** Messages matching a query, newest first; pass `next_cursor` back as `cursor` for the next page. */
  searchMessages(data: CommandData<'search_messages'>) {
    return this.request('search_messages', data);
  }
  /** Who of the members at `seq` has read up to it, and who has not. */
  getReadReceipts(conversationId: string, seq: number) {
    return this.request('get_read_receipts', { conversation_id: conversationId, seq });
  }
  /** "Delete for me": the event leaves this user's own view on every device. */
  hideEvent(eventId: string) {
    return this.request('hide_event', { event_id: eventId });
  }
  setConversationPrefs(conversationId: string, prefs: { pinned?: boolean; muted?: boolean }) {
    return this.request('set_conversation_prefs', { conversation_id: conversationId, ...prefs });
  }

  // Friends and blocks
  getFriends() {
    return this.request('get_friends');
  }
  sendFriendRequest(userId: string, message?: string) {
    return this.request('send_friend_request', message === undefined ? { user_id: userId } : { user_id: userId, message });
  }
  getFriendRequests(direction: 'incoming' | 'outgoing' = 'incoming') {
    return this.request('get_friend_requests', { direction });
  }
  acceptFriendRequest(requestId: string) {
    return this.request('accept_friend_request', { request_id: requestId });
  }
  rejectFriendRequest(requestId: string) {
    return this.request('reject_friend_request', { request_id: requestId });
  }
  deleteFriend(userId: string) {
    return this.request('delete_friend', { user_id: userId });
  }
  setFriendRemark(userId: string, remark: string) {
    return this.request('set_friend_remark', { user_id: userId, remark });
  }
  blockUser(userId: string) {
    return this.request('block_user', { user_id: userId });
  }
  unblockUser(userId: string) {
    return this.request('unblock_user', { user_id: userId });
  }
  getBlocked() {
    return this.request('get_blocked');
  }

  // Groups
  createGroup(name: string, memberIds: string[]) {
    return this.request('create_group', { name, member_ids: memberIds });
  }
  getGroups() {
    return this.request('get_groups');
  }
  getGroupInfo(groupId: string) {
    return this.request('get_group_info', { group_id: groupId });
  }
  getGroupMembers(groupId: string) {
    return this.request('get_group_members', { group_id: groupId });
  }
  addGroupMembers(groupId: string, userIds: string[]) {
    return this.request('add_group_members', { group_id: groupId, user_ids: userIds });
  }
  removeGroupMember(groupId: string, userId: string) {
    return this.request('remove_group_member', { group_id: groupId, user_id: userId });
  }
  leaveGroup(groupId: string) {
    return this.request('leave_group', { group_id: groupId });
  }
  updateGroup(groupId: string, changes: { name?: string; announcement?: string }) {
    return this.request('update_group', { group_id: groupId, ...changes });
  }
  setGroupRole(groupId: string, userId: string, role: 'admin' | 'member') {
    return this.request('set_group_role', { group_id: groupId, user_id: userId, role });
  }
  transferGroupOwner(groupId: string, userId: string) {
    return this.request('transfer_group_owner', { group_id: groupId, user_id: userId });
  }
  dissolveGroup(groupId: string) {
    return this.request('dissolve_group', { group_id: groupId });
  }

  // Users and presence
  getUserInfo(userIds: string[]) {
    return this.request('get_user_info', { user_ids: userIds });
  }
  updateProfile(changes: { nickname?: string; avatar?: string }) {
    return this.request('update_profile', changes);
  }
  searchUsers(query: string, limit?: number) {
    return this.request('search_users', limit === undefined ? { query } : { query, limit });
  }
  getPresence(userIds: string[]) {
    return this.request('get_presence', { user_ids: userIds });
  }

  // Moments (contract 5): pass a page's `next_cursor` back as `before` for the next one
  postMoment(moment: CommandData<'post_moment'>) {
    return this.request('post_moment', moment);
  }
  getTimeline(page: { before?: string; limit?: number } = {}) {
    return this.request('get_timeline', page);
  }
  getUserMoments(userId: string, page: { before?: string; limit?: number } = {}) {
    return this.request('get_user_moments', { user_id: userId, ...page });
  }
  likeMoment(momentId: string) {
    return this.request('like_moment', { moment_id: momentId });
  }
  unlikeMoment(momentId: string) {
    return this.request('unlike_moment', { moment_id: momentId });
  }
  commentMoment(momentId: string, content: string, replyToCommentId?: string) {
    return this.request('comment_moment', replyToCommentId === undefined ? { moment_id: momentId, content } : { moment_id: momentId, content, reply_to_comment_id: replyToCommentId });
  }
  deleteMoment(momentId: string) {
    return this.request('delete_moment', { moment_id: momentId });
  }
  deleteComment(commentId: string) {
    return this.request('delete_comment', { comment_id: commentId });
  }
}
