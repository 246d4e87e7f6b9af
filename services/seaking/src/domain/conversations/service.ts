import type { Db } from '@im/db';
import { badRequest, forbidden, notFound, type ConversationInfo, type Effects, type UserConversation } from '@im/protocol';
import { newId } from '../../ids.js';
import type { UsersRepository } from '../accounts/users-repository.js';
import { effects } from '../effects.js';
import type { FriendsRepository } from '../friends/repository.js';
import type { ConversationsRepository, MemberRow } from './repository.js';

export interface ConversationsOptions {
  requireFriendship: boolean;
}

/** Conversations and who may read or write them. */
export class ConversationsService {
  constructor(
    private readonly db: Db,
    private readonly conversations: ConversationsRepository,
    private readonly friends: FriendsRepository,
    private readonly users: UsersRepository,
    private readonly options: ConversationsOptions,
  ) {}

  async createSingle(userId: string, peerId: string): Promise<{ conversation: UserConversation; created: boolean; effects: Effects }> {
    if (userId === peerId) throw badRequest('cannot start a conversation with yourself', 'peer_user_id');
    const peer = await this.users.findById(peerId);
    if (!peer) throw notFound('no such user', 'peer_user_id');
    const existing = await this.conversations.findSingle(userId, peerId);
    const result = await this.db.transaction(async (tx) => {
      await this.friends.lockPair(userId, peerId, tx);
      if (await this.friends.blockedEitherWay(userId, peerId, tx)) throw forbidden('a block is in place between you and this user', 'peer_user_id');
      if (this.options.requireFriendship && !(await this.friends.areFriends(userId, peerId, tx))) {
        throw forbidden('you can only start conversations with friends', 'peer_user_id');
      }
      const now = Date.now();
      const conversationId = await this.conversations.ensureSingle(newId('c'), userId, peerId, now, tx);
      const prefs = await this.conversations.prefsOf(conversationId, userId, tx);
      return { conversationId, now, prefs };
    });
    return {
      conversation: {
        conversation_id: result.conversationId,
        type: 'single',
        peer_user_id: peerId,
        group_id: null,
        name: peer.nickname,
        created_at: result.now,
        join_seq: 0,
        pinned: result.prefs?.pinned ?? false,
        muted: result.prefs?.muted ?? false,
      },
      created: existing === undefined,
      effects: effects([], [result.conversationId]),
    };
  }

  /** The conversation with its members and whether it takes new events. */
  async info(conversationId: string): Promise<ConversationInfo> {
    const conversation = await this.conversations.find(conversationId);
    if (!conversation) throw notFound('no such conversation', 'conversation_id');
    const members = await this.conversations.members(conversationId);
    return {
      conversation_id: conversation.conversation_id,
      type: conversation.type,
      group_id: conversation.group_id,
      name: conversation.group_name ?? '',
      created_at: conversation.created_at,
      members,
      read_only: conversation.dissolved_at !== null || (await this.readOnly(conversation.type, members)),
    };
  }

  private async readOnly(type: string, members: MemberRow[]): Promise<boolean> {
    if (type !== 'single' || members.length !== 2) return false;
    const [a, b] = [members[0]!.user_id, members[1]!.user_id];
    if (await this.friends.blockedEitherWay(a, b)) return true;
    return this.options.requireFriendship && !(await this.friends.areFriends(a, b));
  }

  /** Refuses a user who may not read (or write) the conversation. */
  async checkAccess(userId: string, conversationId: string, access: 'read' | 'write'): Promise<{ conversation_id: string; join_seq: number; read_only: boolean }> {
    const info = await this.info(conversationId);
    const member = info.members.find((m) => m.user_id === userId);
    if (!member) throw forbidden('not a member of this conversation', 'conversation_id');
    if (access === 'write' && info.read_only) throw forbidden('this conversation is read-only', 'conversation_id');
    return { conversation_id: conversationId, join_seq: member.join_seq, read_only: info.read_only };
  }

  async listForUser(userId: string, after: string | undefined, limit: number): Promise<{ conversations: UserConversation[]; has_more: boolean }> {
    const rows = await this.conversations.listForUser(userId, after, limit + 1);
    return {
      conversations: rows.slice(0, limit).map((r) => ({
        conversation_id: r.conversation_id,
        type: r.type,
        peer_user_id: r.peer_user_id,
        group_id: r.group_id,
        name: r.group_name ?? r.peer_nickname ?? '',
        created_at: r.created_at,
        join_seq: r.join_seq,
        pinned: r.pinned,
        muted: r.muted,
      })),
      has_more: rows.length > limit,
    };
  }

  async readable(userId: string): Promise<{ conversations: Array<{ conversation_id: string; join_seq: number }> }> {
    return { conversations: await this.conversations.readableForUser(userId) };
  }

  /** A member's pinned and muted flags; members only. */
  async setPrefs(userId: string, conversationId: string, prefs: { pinned?: boolean | undefined; muted?: boolean | undefined }): Promise<{ conversation_id: string; pinned: boolean; muted: boolean }> {
    const updated = await this.conversations.setPrefs(conversationId, userId, prefs);
    if (updated) return { conversation_id: conversationId, ...updated };
    if (!(await this.conversations.find(conversationId))) throw notFound('no such conversation', 'conversation_id');
    throw forbidden('not a member of this conversation', 'conversation_id');
  }
}
