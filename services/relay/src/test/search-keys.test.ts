import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { Db, migrate } from '@im/db';
import { createLogger } from '@im/kit';
import { createDatabase, testPostgres, type PostgresServer, type TestDatabase } from '@im/devkit';
import { conversationHash, grams, keysOf, normalize } from '../search/text.js';

const MIGRATIONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

/** The SQL functions for backfills and benchmarks must compute exactly what the relay writes. */
describe('search keys in SQL and in the relay', () => {
  let pg: PostgresServer;
  let database: TestDatabase;
  let db: Db;
  const logger = createLogger({ service: 'relay-test', level: 'warn' });

  before(async () => {
    pg = await testPostgres();
    database = await createDatabase(pg, 'relay_keys');
    await migrate(database.url, MIGRATIONS, logger);
    db = new Db({ url: database.url, logger, max: 2 });
  });

  after(async () => {
    await db?.close();
    await database?.drop();
    if (pg?.embedded) await pg.stop();
  });

  test('search_conversation_hash and search_keys agree with conversationHash, grams and keysOf', async () => {
    const samples: Array<[string, string]> = [
      ['c1', 'hello world'],
      ['cmx5a9b3f2e1d0c', '明天下午三点开会议，别迟到'],
      ['c-ü', 'コーヒー 회의 Ünïcödé 👍🏽 émoji'],
      ['c2', 'ab'],
      ['c3', ''],
      ['c4', 'a b\tc\nd  e\r\nfgh ij'],
    ];
    for (const [conversation, text] of samples) {
      const body = normalize(text);
      const row = await db.one<{ hash: number; keys: number[] }>('SELECT search_conversation_hash($1) AS hash, search_keys(search_conversation_hash($1), $2) AS keys', [conversation, body]);
      assert.equal(row!.hash, conversationHash(conversation), conversation);
      assert.deepEqual([...row!.keys].sort((a, b) => a - b), keysOf(conversationHash(conversation), grams(body)).sort((a, b) => a - b), text);
    }
  });
});
