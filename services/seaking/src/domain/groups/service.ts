import type { Db, Queryable } from '@im/db';
import { AppError, badRequest, conflict, forbidden, notFound, tooLarge, type Effects, type Group, type MemberRole } from '@im/protocol';
import { newId } from '../../ids.js';
import { effects } from '../effects.js';
import type { GroupRow, GroupsRepository } from './repository.js';

export interface GroupsOptions {
  maxGroupSize: number;
}

export function toGroup(row: GroupRow): Group {
  const g: Group = {
    group_id: row.group_id,
    name: row.name,
    owner_id: row.owner_id,
    conversation_id: row.conversation_id,
    member_count: row.member_count,
    announcement: row.announcement,
    created_at: row.created_at,
  };
  if (row.dissolved_at !== null) g.dissolved_at = row.dissolved_at;
  return g;
}

const MANAGERS: ReadonlySet<MemberRole> = new Set(['owner', 'admin']);

/** Groups: a group conversation with roles (owner, admin, member) and a size limit. */
export class GroupsService {
  constructor(
    private readonly db: Db,
    private readonly groups: GroupsRepository,
    private readonly options: GroupsOptions,
  ) {}

  /**
   * Creates a group with its creator as owner. A user who has blocked the creator is left
   * out (not added, not told): a block must not be bypassed by putting the blocker in a group.
   */
  async create(userId: string, name: string, memberIds: string[]): Promise<{ group: Group; conversation_id: string; effects: Effects }> {
    const wanted = [...new Set(memberIds)].filter((id) => id !== userId);
    if (wanted.length + 1 > this.options.maxGroupSize) throw tooLarge(`a group holds at most ${this.options.maxGroupSize} members`, 'member_ids');
    return this.db.transaction(async (tx) => {
      await this.requireUsers(wanted, tx, 'member_ids');
      const blockers = await this.groups.blockersOf(userId, wanted, tx);
      const others = wanted.filter((id) => !blockers.has(id));
      const now = Date.now();
      const row = { group_id: newId('g'), name, owner_id: userId, conversation_id: newId('c'), announcement: '', created_at: now };
      await this.groups.insert(row, tx);
      await this.groups.addMembers(row.conversation_id, [{ user_id: userId, role: 'owner' }, ...others.map((id) => ({ user_id: id, role: 'member' as const }))], 0, now, tx);
      const group = toGroup({ ...row, dissolved_at: null, member_count: others.length + 1 });
      return {
        group,
        conversation_id: row.conversation_id,
        effects: effects([{ user_ids: [userId, ...others], notice: { type: 'group_joined', group } }], [row.conversation_id]),
      };
    });
  }

  async list(userId: string): Promise<{ groups: Group[] }> {
    return { groups: (await this.groups.listForUser(userId)).map(toGroup) };
  }

  /** The group as a member sees it; non-members are refused. */
  async info(userId: string, groupId: string): Promise<{ group: Group }> {
    const row = await this.groups.find(groupId);
    if (!row) throw notFound('no such group', 'group_id');
    await this.db.transaction(async (tx) => this.roleOf(row, userId, tx));
    return { group: toGroup(row) };
  }

  async members(userId: string, groupId: string): Promise<{ members: Array<{ user_id: string; role: MemberRole; joined_at: number }> }> {
    const row = await this.groups.find(groupId);
    if (!row) throw notFound('no such group', 'group_id');
    await this.db.transaction(async (tx) => this.roleOf(row, userId, tx));
    return { members: await this.groups.listMembers(row.conversation_id) };
  }

  async addMembers(userId: string, groupId: string, userIds: string[], joinSeq: number): Promise<{ added: string[]; effects: Effects }> {
    return this.db.transaction(async (tx) => {
      const row = await this.writable(groupId, tx);
      if (!MANAGERS.has(await this.roleOf(row, userId, tx))) throw forbidden('only the owner or an admin may add members', 'group_id');
      const wanted = [...new Set(userIds)];
      await this.requireUsers(wanted, tx, 'user_ids');
      const current = new Set(await this.groups.memberIds(row.conversation_id, tx));
      // Users who have blocked the caller are left out, as at creation.
      const blockers = await this.groups.blockersOf(userId, wanted, tx);
      const fresh = wanted.filter((id) => !current.has(id) && !blockers.has(id));
      if (current.size + fresh.length > this.options.maxGroupSize) throw tooLarge(`a group holds at most ${this.options.maxGroupSize} members`, 'user_ids');
      const added = await this.groups.addMembers(row.conversation_id, fresh.map((id) => ({ user_id: id, role: 'member' as const })), joinSeq, Date.now(), tx);
      const group = toGroup((await this.groups.find(groupId, tx))!);
      return {
        added,
        effects: effects(
          [
            { user_ids: added, notice: { type: 'group_joined' as const, group } },
            { user_ids: [...current], notice: { type: 'group_updated' as const, group } },
          ].filter((d) => d.user_ids.length > 0),
          [row.conversation_id],
        ),
      };
    });
  }

  /** The owner removes anyone else; an admin removes plain members. */
  async removeMember(userId: string, groupId: string, targetId: string): Promise<{ effects: Effects }> {
    return this.db.transaction(async (tx) => {
      const row = await this.writable(groupId, tx);
      const role = await this.roleOf(row, userId, tx);
      if (targetId === userId) throw badRequest('use leave_group to leave', 'user_id');
      const targetRole = await this.groups.roleOf(row.conversation_id, targetId, tx);
      if (!targetRole) throw notFound('not a member of this group', 'user_id');
      const allowed = role === 'owner' || (role === 'admin' && targetRole === 'member');
      if (!allowed) throw forbidden('you may not remove this member', 'user_id');
      await this.groups.removeMember(row.conversation_id, targetId, tx);
      return this.changed(row, tx, [{ user_ids: [targetId], notice: { type: 'group_removed', group_id: groupId } }]);
    });
  }

  async leave(userId: string, groupId: string): Promise<{ effects: Effects }> {
    return this.db.transaction(async (tx) => {
      const row = await this.locked(groupId, tx);
      const role = await this.roleOf(row, userId, tx);
      if (role === 'owner' && row.dissolved_at === null) throw conflict('the owner must transfer ownership before leaving', 'group_id');
      await this.groups.removeMember(row.conversation_id, userId, tx);
      return this.changed(row, tx, [{ user_ids: [userId], notice: { type: 'group_removed', group_id: groupId } }]);
    });
  }

  async update(userId: string, groupId: string, changes: { name?: string | undefined; announcement?: string | undefined }): Promise<{ group: Group; effects: Effects }> {
    return this.db.transaction(async (tx) => {
      const row = await this.writable(groupId, tx);
      if (!MANAGERS.has(await this.roleOf(row, userId, tx))) throw forbidden('only the owner or an admin may change the group', 'group_id');
      await this.groups.update(groupId, changes, tx);
      return this.changed(row, tx, []);
    });
  }

  async setRole(userId: string, groupId: string, targetId: string, role: 'admin' | 'member'): Promise<{ effects: Effects }> {
    return this.db.transaction(async (tx) => {
      const row = await this.writable(groupId, tx);
      if ((await this.roleOf(row, userId, tx)) !== 'owner') throw forbidden('only the owner may change roles', 'group_id');
      const targetRole = await this.groups.roleOf(row.conversation_id, targetId, tx);
      if (!targetRole) throw notFound('not a member of this group', 'user_id');
      if (targetRole === 'owner') throw badRequest("the owner's role changes only by transfer", 'user_id');
      await this.groups.setRole(row.conversation_id, targetId, role, tx);
      return { effects: effects([], [row.conversation_id]) };
    });
  }

  /** Hands the group to another member; the previous owner stays as a plain member. */
  async transfer(userId: string, groupId: string, targetId: string): Promise<{ effects: Effects }> {
    return this.db.transaction(async (tx) => {
      const row = await this.writable(groupId, tx);
      if ((await this.roleOf(row, userId, tx)) !== 'owner') throw forbidden('only the owner may transfer the group', 'group_id');
      if (targetId === userId) throw badRequest('you already own this group', 'user_id');
      if (!(await this.groups.roleOf(row.conversation_id, targetId, tx))) throw notFound('not a member of this group', 'user_id');
      await this.groups.setRole(row.conversation_id, targetId, 'owner', tx);
      await this.groups.setRole(row.conversation_id, userId, 'member', tx);
      await this.groups.setOwner(groupId, targetId, tx);
      return this.changed(row, tx, []);
    });
  }

  /** Ends the group: its conversation stays readable by its members and takes no new events. */
  async dissolve(userId: string, groupId: string): Promise<{ effects: Effects }> {
    return this.db.transaction(async (tx) => {
      const row = await this.writable(groupId, tx);
      if ((await this.roleOf(row, userId, tx)) !== 'owner') throw forbidden('only the owner may dissolve the group', 'group_id');
      await this.groups.dissolve(groupId, Date.now(), tx);
      const members = await this.groups.memberIds(row.conversation_id, tx);
      return { effects: effects([{ user_ids: members, notice: { type: 'group_dissolved', group_id: groupId } }], [row.conversation_id]) };
    });
  }

  private async locked(groupId: string, tx: Queryable): Promise<GroupRow> {
    const row = await this.groups.lock(groupId, tx);
    if (!row) throw notFound('no such group', 'group_id');
    return row;
  }

  /** A group that still takes changes; a dissolved one is read-only. */
  private async writable(groupId: string, tx: Queryable): Promise<GroupRow> {
    const row = await this.locked(groupId, tx);
    if (row.dissolved_at !== null) throw forbidden('this group was dissolved', 'group_id');
    return row;
  }

  private async roleOf(row: GroupRow, userId: string, tx: Queryable): Promise<MemberRole> {
    const role = await this.groups.roleOf(row.conversation_id, userId, tx);
    if (!role) throw forbidden('not a member of this group', 'group_id');
    return role;
  }

  private async requireUsers(ids: string[], tx: Queryable, field: string): Promise<void> {
    if (ids.length === 0) return;
    const known = await this.groups.existingUsers(ids, tx);
    const missing = ids.filter((id) => !known.has(id));
    if (missing.length > 0) throw new AppError('not_found', `no such user: ${missing[0]}`, field);
  }

  /** After a change: the group as it is now, announced to its remaining members. */
  private async changed(row: GroupRow, tx: Queryable, extra: Effects['notices']): Promise<{ group: Group; effects: Effects }> {
    const group = toGroup((await this.groups.find(row.group_id, tx))!);
    const members = await this.groups.memberIds(row.conversation_id, tx);
    const notices = members.length > 0 ? [{ user_ids: members, notice: { type: 'group_updated' as const, group } }, ...extra] : extra;
    return { group, effects: effects(notices, [row.conversation_id]) };
  }
}
