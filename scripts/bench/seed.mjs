// Seeds users, sessions, friendships and conversations straight into seaking's database, as
// seaking itself writes them, and mints each user an access token: setting up a thousand
// users through the API would spend minutes hashing passwords before measuring anything.
import crypto from 'node:crypto';
import pg from 'pg';
import { AccessTokens } from '../../packages/auth/dist/index.js';

const id = (prefix) => `${prefix}${Date.now().toString(36)}${crypto.randomBytes(8).toString('hex')}`;

export class Seeder {
  constructor(seakingDbUrl, jwtSecret) {
    this.pool = new pg.Pool({ connectionString: seakingDbUrl, max: 4 });
    this.tokens = new AccessTokens(jwtSecret);
  }

  /** `n` users, each with one live session and an access token. */
  async users(n, label) {
    const now = Date.now();
    const users = Array.from({ length: n }, (_, i) => ({ user_id: id('u'), username: `${label}${i}_${crypto.randomBytes(3).toString('hex')}`, session_id: id('s') }));
    for (let i = 0; i < users.length; i += 1000) {
      const chunk = users.slice(i, i + 1000);
      await this.pool.query(
        `INSERT INTO users (user_id, username, nickname, created_at) SELECT u, n, n, $3 FROM unnest($1::text[], $2::text[]) AS t(u, n)`,
        [chunk.map((u) => u.user_id), chunk.map((u) => u.username), now],
      );
      await this.pool.query(
        `INSERT INTO sessions (session_id, user_id, device_id, platform, refresh_hash, created_at, refreshed_at, expires_at)
         SELECT s, u, 'bench', 'other', decode(md5(s), 'hex'), $3::bigint, $3::bigint, $3::bigint + 86400000 FROM unnest($1::text[], $2::text[]) AS t(s, u)`,
        [chunk.map((u) => u.session_id), chunk.map((u) => u.user_id), now],
      );
    }
    for (const u of users) u.token = this.tokens.issue(u.user_id, u.session_id, now, 24 * 3600).token;
    return users;
  }

  /** Makes each pair friends with a single conversation; returns the conversation ids. */
  async pairs(pairs) {
    const now = Date.now();
    const rows = pairs.map(([a, b]) => ({ a: a.user_id, b: b.user_id, c: id('c') }));
    await this.pool.query(
      `INSERT INTO friendships (user_id, friend_id, since) SELECT a, b, $3::bigint FROM unnest($1::text[], $2::text[]) AS t(a, b)
       UNION ALL SELECT b, a, $3::bigint FROM unnest($1::text[], $2::text[]) AS t(a, b)`,
      [rows.map((r) => r.a), rows.map((r) => r.b), now],
    );
    await this.pool.query(
      `INSERT INTO conversations (conversation_id, type, pair_key, created_at)
       SELECT c, 'single', CASE WHEN a < b THEN a || '|' || b ELSE b || '|' || a END, $4::bigint FROM unnest($1::text[], $2::text[], $3::text[]) AS t(a, b, c)`,
      [rows.map((r) => r.a), rows.map((r) => r.b), rows.map((r) => r.c), now],
    );
    await this.pool.query(
      `INSERT INTO conversation_members (conversation_id, user_id, role, joined_at)
       SELECT c, a, 'member', $4::bigint FROM unnest($1::text[], $2::text[], $3::text[]) AS t(a, b, c)
       UNION ALL SELECT c, b, 'member', $4::bigint FROM unnest($1::text[], $2::text[], $3::text[]) AS t(a, b, c)`,
      [rows.map((r) => r.a), rows.map((r) => r.b), rows.map((r) => r.c), now],
    );
    return rows.map((r) => r.c);
  }

  /** A group owned by the first user with everyone in it; returns its conversation id. */
  async group(users, name) {
    const now = Date.now();
    const groupId = id('g');
    const conversationId = id('c');
    await this.pool.query(`INSERT INTO conversations (conversation_id, type, group_id, created_at) VALUES ($1, 'group', $2, $3)`, [conversationId, groupId, now]);
    await this.pool.query(`INSERT INTO groups (group_id, name, owner_id, conversation_id, created_at) VALUES ($1, $2, $3, $4, $5)`, [groupId, name, users[0].user_id, conversationId, now]);
    await this.pool.query(
      `INSERT INTO conversation_members (conversation_id, user_id, role, joined_at)
       SELECT $1, u, CASE WHEN n = 1 THEN 'owner' ELSE 'member' END, $3::bigint FROM unnest($2::text[]) WITH ORDINALITY AS t(u, n)`,
      [conversationId, users.map((u) => u.user_id), now],
    );
    return conversationId;
  }

  async close() {
    await this.pool.end();
  }
}
