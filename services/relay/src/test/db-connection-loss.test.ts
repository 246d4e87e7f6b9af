import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { Db } from '@im/db';
import { createDatabase, testPostgres, type PostgresServer, type TestDatabase } from '@im/devkit';
import { createLogger } from '@im/kit';

const logger = createLogger({ service: 'test', level: 'error' });

let pg: PostgresServer;
let database: TestDatabase;
let db: Db;

before(async () => {
  pg = await testPostgres();
  database = await createDatabase(pg, 'db_loss');
  db = new Db({ url: database.url, logger, max: 3 });
});

after(async () => {
  await db?.close();
  await database?.drop();
  if (pg?.embedded) await pg.stop();
});

// A database restart terminates every session. One caught between two statements of a
// transaction has no query to fail: its connection reports the loss as an 'error' event,
// which with nobody listening would end the whole process.
test('a connection lost between the statements of a transaction fails that transaction as unavailable, and the process lives on', async () => {
  const outcome = await db
    .transaction(async (tx) => {
      const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await db.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      // The server's notice of the termination arrives while nothing runs on this client.
      await sleep(300);
      await tx.query('SELECT 1');
      return 'committed';
    }, 1)
    .catch((err: { code?: string }) => err.code);
  assert.equal(outcome, 'unavailable');
  // The pool goes on with fresh connections.
  assert.equal((await db.one<{ n: number }>('SELECT 1 AS n'))?.n, 1);
});
