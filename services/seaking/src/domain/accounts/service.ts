import { isUniqueViolation, type Db } from '@im/db';
import { AppError, conflict, unauthorized, type LoginInput, type RegisterInput, type Session, type User } from '@im/protocol';
import { newId } from '../../ids.js';
import { burnVerification, hashPassword, verifyPassword } from './passwords.js';
import { SessionsRepository } from './sessions-repository.js';
import { hashRefreshToken, newRefreshToken, type AccessClaims, type TokenIssuer } from './tokens.js';
import { toUser, UsersRepository, type LoginKey, type UserRow } from './users-repository.js';

const UNIQUE_FIELDS: Record<string, string> = {
  users_username_key: 'username',
  users_phone_key: 'phone',
  users_email_key: 'email',
};

function loginKey(input: { username?: string | undefined; phone?: string | undefined; email?: string | undefined }): LoginKey {
  return input.username !== undefined ? { username: input.username } : input.phone !== undefined ? { phone: input.phone } : { email: input.email! };
}

export interface AccountsOptions {
  refreshTtlSeconds: number;
}

/** Accounts and their sessions: register, login, token refresh and revocation. */
export class AccountsService {
  constructor(
    private readonly db: Db,
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly tokens: TokenIssuer,
    private readonly options: AccountsOptions,
  ) {}

  async register(input: RegisterInput): Promise<{ user: User }> {
    const row: UserRow = {
      user_id: newId('u'),
      username: input.username,
      nickname: input.nickname ?? input.username,
      avatar: '',
      phone: input.phone ?? null,
      email: input.email ?? null,
      password_hash: await hashPassword(input.password),
      created_at: Date.now(),
    };
    try {
      await this.users.insert(row);
    } catch (err) {
      const field = UNIQUE_FIELDS[(err as { constraint?: string }).constraint ?? ''];
      if (isUniqueViolation(err) && field) throw conflict(`${field} is already taken`, field);
      throw err;
    }
    return { user: toUser(row, true) };
  }

  /** The account a login names, if any. */
  async resolve(input: { username?: string | undefined; phone?: string | undefined; email?: string | undefined }): Promise<{ user_id: string | null }> {
    const row = await this.users.findByLogin(loginKey(input));
    return { user_id: row?.user_id ?? null };
  }

  async login(input: LoginInput): Promise<Session & { revoked_sessions: string[] }> {
    const row = await this.users.findByLogin(loginKey(input));
    if (!row?.password_hash) {
      await burnVerification(input.password);
      throw unauthorized('invalid credentials');
    }
    if (!(await verifyPassword(row.password_hash, input.password))) throw unauthorized('invalid credentials');
    return this.openSession(row, input.device_id, input.platform);
  }

  /**
   * Starts a session on a device, replacing any live session of that device. With
   * `proveEmail`, a login that proved the account's email (by a code sent to it): if the
   * address was unproven, whoever registered it loses the account: every other session is
   * revoked and the password stops working, in the same transaction.
   */
  async openSession(
    row: UserRow,
    deviceId: string | undefined,
    platform: string | undefined,
    options: { proveEmail?: boolean } = {},
  ): Promise<Session & { revoked_sessions: string[] }> {
    const now = Date.now();
    const device = deviceId ?? newId('d');
    const sessionId = newId('s');
    const refresh = newRefreshToken();
    const revoked = await this.db.transaction(async (tx) => {
      const takenOver = options.proveEmail === true && (await this.users.proveEmail(row.user_id, now, tx));
      const replaced = takenOver ? await this.sessions.revokeAllOfUser(row.user_id, now, tx) : await this.sessions.revokeDevice(row.user_id, device, now, tx);
      await this.sessions.insert(
        {
          session_id: sessionId,
          user_id: row.user_id,
          device_id: device,
          platform: platform ?? 'other',
          refresh_hash: hashRefreshToken(refresh),
          created_at: now,
          refreshed_at: now,
          expires_at: now + this.options.refreshTtlSeconds * 1000,
          revoked_at: null,
        },
        tx,
      );
      return replaced;
    });
    const access = this.tokens.issueAccess(row.user_id, sessionId, now);
    return { token: access.token, expires_at: access.expires_at, refresh_token: refresh, device_id: device, user: toUser(row, true), revoked_sessions: revoked };
  }

  /**
   * Trades a refresh token for a new pair. A token that was already spent means it leaked:
   * the session it belonged to is revoked.
   */
  async refresh(refreshToken: string): Promise<{ session: Session | null; revoked_sessions: string[] }> {
    const now = Date.now();
    const oldHash = hashRefreshToken(refreshToken);
    const newToken = newRefreshToken();
    const outcome = await this.db.transaction(async (tx) => {
      const session = await this.sessions.findByRefreshHash(oldHash, tx);
      if (!session) {
        const spentBy = await this.sessions.findSpent(oldHash, tx);
        if (spentBy) await this.sessions.revoke(spentBy, now, tx);
        return { session: null, revoked: spentBy ? [spentBy] : [] };
      }
      if (session.revoked_at !== null || session.expires_at <= now) return { session: null, revoked: [] };
      await this.sessions.rotate(session.session_id, oldHash, hashRefreshToken(newToken), now, now + this.options.refreshTtlSeconds * 1000, tx);
      return { session, revoked: [] };
    });
    const user = outcome.session ? await this.users.findById(outcome.session.user_id) : undefined;
    if (!outcome.session || !user) return { session: null, revoked_sessions: outcome.revoked };
    const access = this.tokens.issueAccess(user.user_id, outcome.session.session_id, now);
    return {
      session: { token: access.token, expires_at: access.expires_at, refresh_token: newToken, device_id: outcome.session.device_id, user: toUser(user, true) },
      revoked_sessions: [],
    };
  }

  async logout(sessionId: string): Promise<{ session_id: string; user_id: string }> {
    const session = await this.sessions.revoke(sessionId, Date.now());
    if (!session) throw new AppError('unauthorized', 'unknown session');
    return { session_id: session.session_id, user_id: session.user_id };
  }

  /** Verifies an access token and that its session is still live. */
  async validateToken(token: string): Promise<AccessClaims> {
    const claims = this.tokens.verifyAccess(token);
    if (!claims) throw unauthorized('invalid or expired token');
    const session = await this.sessions.findById(claims.session_id);
    if (!session || session.revoked_at !== null) throw unauthorized('session revoked');
    return claims;
  }

  /** Those of the sessions that are no longer live: revoked, or unknown. */
  async checkSessions(sessionIds: string[]): Promise<{ revoked: string[] }> {
    const live = new Set(await this.sessions.liveAmong(sessionIds));
    return { revoked: sessionIds.filter((id) => !live.has(id)) };
  }

  async updateProfile(userId: string, changes: { nickname?: string | undefined; avatar?: string | undefined }): Promise<{ user: User }> {
    const row = await this.users.updateProfile(userId, changes);
    if (!row) throw new AppError('not_found', 'no such user');
    return { user: toUser(row, true) };
  }

  async search(query: string, limit: number, viewerId: string): Promise<{ users: User[] }> {
    const rows = await this.users.search(query, limit, viewerId);
    return { users: rows.map((r) => toUser(r, r.user_id === viewerId)) };
  }

  async getUserInfo(userIds: string[], viewerId: string | undefined): Promise<{ users: User[] }> {
    const rows = await this.users.findMany([...new Set(userIds)]);
    const byId = new Map(rows.map((r) => [r.user_id, r]));
    const users: User[] = [];
    for (const id of userIds) {
      const row = byId.get(id);
      if (row) users.push(toUser(row, id === viewerId));
      byId.delete(id);
    }
    return { users };
  }
}
