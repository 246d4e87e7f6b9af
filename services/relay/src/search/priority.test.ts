import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { lowerSessionPriority, threadId } from './priority.js';

test('the thread id is read from a /proc/thread-self link', () => {
  assert.equal(threadId('4711/task/4712'), 4712);
  assert.throws(() => threadId('4711'), /unexpected/);
});

test("a session's server process is lowered only when it is certainly that process on this machine", async (t) => {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.after(() => child.kill());
  const pid = child.pid!;
  const title = (port: number) => (p: number) => (p === pid ? `postgres: 15/main: im im_db 127.0.0.1(${port}) idle` : undefined);

  // Over a Unix socket, through a pooler (the server sees another port), or where no local
  // process carries PostgreSQL's title for this client: left alone.
  assert.deepEqual(lowerSessionPriority({ pid, serverSeenPort: null, localPort: 5000 }, 19, title(5000)), { lowered: false, why: 'the connection is not over TCP' });
  assert.equal(lowerSessionPriority({ pid, serverSeenPort: 6000, localPort: 5000 }, 19, title(5000)).lowered, false);
  assert.equal(lowerSessionPriority({ pid, serverSeenPort: 5000, localPort: 5000 }, 19, title(6000)).lowered, false);
  assert.equal(lowerSessionPriority({ pid, serverSeenPort: 5000, localPort: 5000 }, 19, () => `sleep 30 (5000)`).lowered, false);
  assert.equal(getPriority(pid), 0);

  assert.deepEqual(lowerSessionPriority({ pid, serverSeenPort: 5000, localPort: 5000 }, 19, title(5000)), { lowered: true, pid });
  assert.equal(getPriority(pid), 19);
});

/** A thread's nice level, from /proc (field 19 of its stat line). */
const niceOf = (tid: number) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);

test("lowering a thread's priority leaves its process's other threads as they were", async (t) => {
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     import(${JSON.stringify(new URL('./priority.js', import.meta.url).href)}).then((m) => parentPort.postMessage(m.lowerThreadPriority(7)));`,
    { eval: true },
  );
  t.after(() => worker.terminate());
  const lowered = (await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject))) as { lowered: boolean; pid: number };
  assert.equal(lowered.lowered, true);
  assert.notEqual(lowered.pid, process.pid);
  assert.equal(niceOf(lowered.pid), 7);
  assert.equal(niceOf(process.pid), 0);
  assert.equal(getPriority(), 0);
});
