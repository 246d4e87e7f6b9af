import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { createLogger } from '@im/kit';
import { IndexerThread, RESTART_MS } from './indexer-thread.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'indexer-thread-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * A thread that reports itself (as the indexer reports documents moved), reads the backlog
 * the relay publishes, and dies on its first start (a marker file says whether it ran
 * before); later starts run until asked to stop, as the indexer does.
 */
const ENTRY = path.join(dir, 'thread.mjs');
fs.writeFileSync(
  ENTRY,
  `import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
const marker = ${JSON.stringify(path.join(dir, 'started-once'))};
const first = !fs.existsSync(marker);
fs.writeFileSync(marker, '');
const backlog = new Int32Array(workerData.backlog);
setTimeout(() => {
  parentPort.postMessage({ type: 'moved', n: 1000 + Atomics.load(backlog, 0) });
  if (first) throw new Error('the first run fails');
}, 50);
parentPort.on('message', (m) => { if (m.type === 'stop') setTimeout(() => parentPort.close(), 20); });
`,
);

test('an indexer thread that dies is started again; stopping ends it for good', async () => {
  const errors: string[] = [];
  const base = createLogger({ service: 'relay-test', level: 'error', silent: true });
  const logger = Object.create(base) as typeof base;
  logger.error = ((message: string) => (errors.push(message), logger)) as typeof base.error;
  const moved: number[] = [];
  const thread = new IndexerThread(
    { databaseUrl: 'postgres://unused', logLevel: 'error', nice: 0, options: { intervalMs: 10, batch: 1, duty: 1, vacuumEvery: 1, maxDeferMs: 0 } },
    logger,
    (n) => moved.push(n),
    () => 7,
    pathToFileURL(ENTRY),
  );
  thread.start();
  for (let i = 0; i < 100 && moved.length < 2; i++) await sleep(RESTART_MS / 20);
  // Both runs reported (with the published backlog): the second came after the restart.
  assert.deepEqual(moved, [1007, 1007]);
  assert.deepEqual(errors, ['search indexer thread failed', 'search indexer thread ended; starting it again']);
  await thread.stop();
  await sleep(RESTART_MS * 1.5);
  assert.equal(moved.length, 2, 'not started again after stop');
  assert.equal(errors.length, 2);
});
