import type { Db } from '@im/db';
import { badRequest, conflict, forbidden, notFound, type FriendRequest, type Effects, type Friend } from '@im/protocol';
import { newId } from '../../ids.js';
import type { UsersRepository } from '../accounts/users-repository.js';
import type { ConversationsRepository } from '../conversations/repository.js';
import { effects } from '../effects.js';
import type { MomentsRepository } from '../moments/repository.js';
import type { FriendsRepository } from './repository.js';

/** The friend flow: requests, mutual auto-accept, acceptance, rejection and deletion. */
export class FriendsService {
  constructor(
    private readonly db: Db,
    private readonly friends: FriendsRepository,
    private readonly users: UsersRepository,
    private readonly conversations: ConversationsRepository,
    private readonly moments: MomentsRepository,
  ) {}

  async sendRequest(
    userId: string,
    toUserId: string,
    message: string,
  ): Promise<{ request_id: string; status: 'pending' | 'accepted'; conversation_id?: string; effects: Effects }> {
    if (userId === toUserId) throw badRequest('cannot send a friend request to yourself', 'user_id');
    return this.db.transaction(async (tx) => {
      if (!(await this.users.exists(toUserId, tx))) throw notFound('no such user', 'user_id');
      await this.friends.lockPair(userId, toUserId, tx);
      if (await this.friends.blockedEitherWay(userId, toUserId, tx)) throw forbidden('a block is in place between you and this user', 'user_id');
      if (await this.friends.areFriends(userId, toUserId, tx)) throw conflict('already friends', 'user_id');
      if (await this.friends.findPending(userId, toUserId, tx)) throw conflict('a request is already pending', 'user_id');
      const now = Date.now();
      const theirs = await this.friends.findPending(toUserId, userId, tx);
      if (theirs) {
        // They had already asked: asking back is agreeing.
        await this.friends.setRequestStatus(theirs.request_id, 'accepted', now, tx);
        await this.friends.addFriendship(userId, toUserId, now, tx);
        const conversationId = await this.conversations.ensureSingle(newId('c'), userId, toUserId, now, tx);
        return {
          request_id: theirs.request_id,
          status: 'accepted',
          conversation_id: conversationId,
          effects: effects(
            [{ user_ids: [toUserId], notice: { type: 'friend_accepted', user_id: userId, conversation_id: conversationId } }],
            [conversationId],
          ),
        };
      }
      const request: FriendRequest = {
        request_id: newId('r'),
        from_user_id: userId,
        to_user_id: toUserId,
        message,
        status: 'pending',
        created_at: now,
      };
      await this.friends.insertRequest(request, tx);
      return {
        request_id: request.request_id,
        status: 'pending',
        effects: effects([{ user_ids: [toUserId], notice: { type: 'friend_request', request } }]),
      };
    });
  }

  async listRequests(userId: string, direction: 'incoming' | 'outgoing'): Promise<{ requests: FriendRequest[] }> {
    return { requests: await this.friends.listRequests(userId, direction) };
  }

  /** Only the recipient may answer, and only while pending; anything else looks absent. */
  private async answerable(userId: string, requestId: string, tx: Parameters<FriendsRepository['findRequest']>[1]): Promise<FriendRequest> {
    const request = await this.friends.findRequest(requestId, tx);
    if (!request || request.to_user_id !== userId) throw notFound('no such friend request', 'request_id');
    await this.friends.lockPair(request.from_user_id, request.to_user_id, tx);
    const current = await this.friends.findRequest(requestId, tx);
    if (current?.status !== 'pending') throw notFound('the friend request is no longer pending', 'request_id');
    return current;
  }

  async accept(userId: string, requestId: string): Promise<{ conversation_id: string; effects: Effects }> {
    return this.db.transaction(async (tx) => {
      const request = await this.answerable(userId, requestId, tx);
      const now = Date.now();
      await this.friends.setRequestStatus(requestId, 'accepted', now, tx);
      await this.friends.addFriendship(request.from_user_id, userId, now, tx);
      const conversationId = await this.conversations.ensureSingle(newId('c'), request.from_user_id, userId, now, tx);
      return {
        conversation_id: conversationId,
        effects: effects(
          [{ user_ids: [request.from_user_id], notice: { type: 'friend_accepted', user_id: userId, conversation_id: conversationId } }],
          [conversationId],
        ),
      };
    });
  }

  async reject(userId: string, requestId: string): Promise<{ effects: Effects }> {
    return this.db.transaction(async (tx) => {
      await this.answerable(userId, requestId, tx);
      await this.friends.setRequestStatus(requestId, 'rejected', Date.now(), tx);
      return { effects: effects() };
    });
  }

  async delete(userId: string, friendId: string): Promise<{ effects: Effects }> {
    return this.db.transaction(async (tx) => {
      await this.friends.lockPair(userId, friendId, tx);
      if (!(await this.friends.removeFriendship(userId, friendId, tx))) throw notFound('not a friend', 'user_id');
      const conversationId = await this.conversations.findSingle(userId, friendId, tx);
      return {
        effects: effects(
          [{ user_ids: [friendId], notice: { type: 'friend_deleted', user_id: userId } }],
          conversationId ? [conversationId] : [],
        ),
      };
    });
  }

  /** A remark is for friends only: for anyone else it is refused by the friendship rule. */
  async setRemark(userId: string, friendId: string, remark: string): Promise<Record<string, never>> {
    if (await this.friends.setRemark(userId, friendId, remark)) return {};
    if (!(await this.users.exists(friendId))) throw notFound('no such user', 'user_id');
    throw forbidden('remarks are for friends only', 'user_id');
  }

  /**
   * Blocks a user: ends the friendship, rejects pending requests either way, makes their
   * single conversation read-only, and removes each one's likes and comments on the other's
   * moments (neither may see the other's moments any more). Blocking twice is harmless.
   */
  async block(userId: string, targetId: string): Promise<{ effects: Effects }> {
    if (userId === targetId) throw badRequest('cannot block yourself', 'user_id');
    return this.db.transaction(async (tx) => {
      if (!(await this.users.exists(targetId, tx))) throw notFound('no such user', 'user_id');
      await this.friends.lockPair(userId, targetId, tx);
      const now = Date.now();
      await this.friends.block(userId, targetId, now, tx);
      const wereFriends = await this.friends.removeFriendship(userId, targetId, tx);
      await this.friends.rejectPendingBetween(userId, targetId, now, tx);
      await this.moments.removeInteractionsBetween(userId, targetId, tx);
      const conversationId = await this.conversations.findSingle(userId, targetId, tx);
      return {
        effects: effects(
          wereFriends ? [{ user_ids: [targetId], notice: { type: 'friend_deleted', user_id: userId } }] : [],
          conversationId ? [conversationId] : [],
        ),
      };
    });
  }

  /** Lifts a block; restores nothing. Unblocking someone not blocked succeeds. */
  async unblock(userId: string, targetId: string): Promise<{ effects: Effects }> {
    await this.friends.unblock(userId, targetId);
    const conversationId = await this.conversations.findSingle(userId, targetId);
    return { effects: effects([], conversationId ? [conversationId] : []) };
  }

  async blocked(userId: string): Promise<{ user_ids: string[] }> {
    return { user_ids: await this.friends.listBlocked(userId) };
  }

  /** Whose presence the user may see: friends and group co-members. */
  async visible(userId: string, userIds: string[]): Promise<{ user_ids: string[] }> {
    return { user_ids: await this.friends.visibleAmong(userId, [...new Set(userIds)].filter((id) => id !== userId)) };
  }

  async idsOf(userIds: string[]): Promise<{ friends: Record<string, string[]> }> {
    const friends: Record<string, string[]> = Object.fromEntries(userIds.map((id) => [id, []]));
    for (const row of await this.friends.friendIdsOf([...new Set(userIds)])) friends[row.user_id]!.push(row.friend_id);
    return { friends };
  }

  async list(userId: string): Promise<{ friends: Omit<Friend, 'online'>[] }> {
    return { friends: await this.friends.listFriends(userId) };
  }
}
