import pg from 'pg';
import { runner } from 'node-pg-migrate';
import type { Logger } from '@im/kit';

/**
 * Applies pending SQL migrations from `dir`. node-pg-migrate holds an advisory lock, so
 * several copies of a service starting together apply each migration once.
 */
export async function migrate(url: string, dir: string, logger: Logger): Promise<string[]> {
  // The migration lock is a try-lock: a copy that finds another applying waits its turn.
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateOnce(url, dir, logger);
    } catch (err) {
      if (attempt >= 120 || !/another migration is already running/i.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

async function migrateOnce(url: string, dir: string, logger: Logger): Promise<string[]> {
  const applied = await runner({
    databaseUrl: url,
    dir,
    direction: 'up',
    migrationsTable: 'schema_migrations',
    checkOrder: true,
    singleTransaction: true,
    logger: {
      debug: () => undefined,
      info: () => undefined,
      warn: (msg: string) => logger.debug('migration', { detail: msg }),
      error: (msg: string) => logger.error('migration failed', { detail: msg }),
    },
  });
  const names = applied.map((m) => m.name);
  if (names.length > 0) logger.info('migrations applied', { migrations: names });
  return names;
}

/**
 * Creates the database named in `url` when it does not exist yet, by connecting to the
 * server's `postgres` database. Lets one PostgreSQL serve both services out of the box.
 */
export async function ensureDatabase(url: string, logger: Logger): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) return;
  const probe = new pg.Client({ connectionString: url });
  try {
    await probe.connect();
    return;
  } catch (err) {
    if ((err as { code?: string }).code !== '3D000') throw err;
  } finally {
    await probe.end().catch(() => undefined);
  }
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    logger.info('database created', { database: name });
  } catch (err) {
    // Another process created it first.
    if ((err as { code?: string }).code !== '42P04') throw err;
  } finally {
    await client.end();
  }
}
