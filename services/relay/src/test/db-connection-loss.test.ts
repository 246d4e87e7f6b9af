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

test('onConnect prepares each new connection before its first statement; one that fails or hangs leaves the connection usable', async () => {
  const prepared: number[] = [];
  let attempts = 0;
  let mode: 'prepare' | 'fail' | 'hang' = 'prepare';
  const hooked = new Db({
    url: database.url,
    logger,
    max: 1,
    onConnect: async (client) => {
      attempts++;
      if (mode === 'fail') throw new Error('refused');
      if (mode === 'hang') return new Promise<void>(() => undefined);
      // Later than the first statement would run if the hook did not hold it back.
      await sleep(50);
      const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid, set_config('im.prepared', 'yes', false)");
      prepared.push(rows[0]!.pid);
    },
  });
  // Ends the pool's one session and waits until the pool has let it go.
  const replace = async (pid: number) => {
    await db.query('SELECT pg_terminate_backend($1, 5000)', [pid]);
    for (let i = 0; i < 100 && hooked.pool.totalCount > 0; i++) await sleep(20);
    assert.equal(hooked.pool.totalCount, 0);
  };
  const session = async () => (await hooked.one<{ pid: number; prepared: string }>("SELECT pg_backend_pid() AS pid, current_setting('im.prepared', true) AS prepared"))!;
  try {
    const first = await session();
    assert.deepEqual(first, { pid: prepared[0], prepared: 'yes' });
    await hooked.query('SELECT 1');
    assert.equal(attempts, 1);
    // A connection that is lost is replaced, and the replacement is prepared too.
    await replace(first.pid);
    const second = await session();
    assert.deepEqual(second, { pid: prepared[1], prepared: 'yes' });
    mode = 'fail';
    await replace(second.pid);
    const third = await session();
    assert.equal(attempts, 3);
    assert.equal(third.prepared, null);
    mode = 'hang';
    await replace(third.pid);
    assert.equal((await hooked.one<{ n: number }>('SELECT 1 AS n'))?.n, 1);
    assert.equal(attempts, 4);
  } finally {
    await hooked.close();
  }
});
