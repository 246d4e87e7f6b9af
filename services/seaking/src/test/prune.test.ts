import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { Db, migrate } from '@im/db';
import { createDatabase, testPostgres, type PostgresServer, type TestDatabase } from '@im/devkit';
import { createLogger } from '@im/kit';
import { LoginCodesRepository } from '../domain/accounts/codes-repository.js';
import { Pruner } from '../domain/accounts/pruner.js';
import { SessionsRepository } from '../domain/accounts/sessions-repository.js';

const MIGRATIONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');
const logger = createLogger({ service: 'test', level: 'error' });
const DAY = 24 * 3600 * 1000;

let pg: PostgresServer;
let database: TestDatabase;
let db: Db;

before(async () => {
  pg = await testPostgres();
  database = await createDatabase(pg, 'prune');
  await migrate(database.url, MIGRATIONS, logger);
  db = new Db({ url: database.url, logger });
});

after(async () => {
  await db?.close();
  await database?.drop();
  if (pg?.embedded) await pg.stop();
});

test('pruning removes ended sessions, old spent tokens and expired codes, and nothing live', async () => {
  const now = Date.now();
  await db.query(`INSERT INTO users (user_id, username, nickname, created_at) VALUES ('u1', 'pruned', 'p', 0)`);
  const session = (id: string, expires: number, revoked: number | null) =>
    db.query(
      `INSERT INTO sessions (session_id, user_id, device_id, platform, refresh_hash, created_at, refreshed_at, expires_at, revoked_at)
       VALUES ($1, 'u1', $1, 'other', $2, 0, 0, $3, $4)`,
      [id, Buffer.from(id), expires, revoked],
    );
  await session('live', now + DAY, null);
  await session('expired-long-ago', now - 40 * DAY, null);
  await session('revoked-long-ago', now + DAY, now - 40 * DAY);
  await session('revoked-lately', now + DAY, now - DAY);
  const spent = (hash: string, sessionId: string, at: number) =>
    db.query('INSERT INTO spent_refresh_tokens (refresh_hash, session_id, spent_at) VALUES ($1, $2, $3)', [Buffer.from(hash), sessionId, at]);
  await spent('t-of-expired', 'expired-long-ago', now - 41 * DAY);
  await spent('t-old', 'live', now - 31 * DAY);
  await spent('t-recent', 'live', now - DAY);
  for (let i = 0; i < 12; i++) {
    await db.query('INSERT INTO login_codes (email, code_hash, sent_at, expires_at) VALUES ($1, $2, 0, $3)', [`c${i}@x.org`, Buffer.from('h'), i < 10 ? now - 2 * DAY : now + DAY]);
  }
  const pruner = new Pruner(new SessionsRepository(db), new LoginCodesRepository(db), { keepEndedMs: 30 * DAY, refreshTtlMs: 30 * DAY, keepCodesMs: DAY, batch: 3 }, logger);
  assert.deepEqual(await pruner.run(now), { sessions: 2, spent: 1, codes: 10 });
  assert.deepEqual((await db.rows<{ session_id: string }>('SELECT session_id FROM sessions ORDER BY session_id')).map((r) => r.session_id), ['live', 'revoked-lately']);
  assert.deepEqual((await db.rows<{ h: string }>("SELECT convert_from(refresh_hash, 'UTF8') AS h FROM spent_refresh_tokens")).map((r) => r.h), ['t-recent']);
  assert.equal((await db.rows('SELECT 1 FROM login_codes')).length, 2);
  assert.deepEqual(await pruner.run(now), { sessions: 0, spent: 0, codes: 0 });
});
