import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { getPriority } from 'node:os';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { lowerSessionPriority, threadId, type Session } from './priority.js';

test('the thread id is read from a /proc/thread-self link', () => {
  assert.equal(threadId('4711/task/4712'), 4712);
  assert.throws(() => threadId('4711'), /unexpected/);
});

test("a session's server process is lowered only when it is certainly that process on this machine", async (t) => {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.after(() => child.kill());
  const pid = child.pid!;
  const before = getPriority(pid);
  const title = (port: number) => (p: number) => (p === pid ? `postgres: 15/main: im im_db 127.0.0.1(${port}) idle` : undefined);
  const here = new Set(['127.0.0.1', '10.0.0.5']);
  const session = (over: Partial<Session> = {}): Session => ({
    pid,
    serverSeenAddress: '127.0.0.1',
    serverSeenPort: 5000,
    serverAddress: '127.0.0.1',
    socket: { localAddress: '127.0.0.1', localPort: 5000, remoteAddress: '127.0.0.1' },
    ...over,
  });
  const refused = (s: Session, t = title(5000)) => {
    const r = lowerSessionPriority(s, 19, t, here);
    return r.lowered ? 'lowered' : r.why;
  };

  // Over a Unix socket; through a pooler or NAT (the server sees another port or address);
  // a server elsewhere; no local process with PostgreSQL's title for this client.
  assert.equal(refused(session({ serverSeenPort: null, serverSeenAddress: null, serverAddress: null })), 'the session is not over TCP');
  assert.equal(refused(session({ socket: undefined })), 'the session is not over TCP');
  assert.match(refused(session({ serverSeenPort: 6000 })), /proxy/);
  assert.match(refused(session({ serverSeenAddress: '10.0.0.9' })), /proxy/);
  assert.match(refused(session({ serverAddress: '10.0.0.7' })), /proxy/);
  const remote = { serverSeenAddress: '10.0.0.5', serverAddress: '10.0.0.8', socket: { localAddress: '10.0.0.5', localPort: 5000, remoteAddress: '10.0.0.8' } };
  assert.equal(refused(session(remote)), 'the database runs on another machine');
  assert.match(refused(session(), title(6000)), /not visible/);
  assert.match(refused(session(), () => 'sleep 30 (5000)'), /not visible/);
  assert.equal(getPriority(pid), before);

  // PostgreSQL's inet text may carry a mapped IPv4 prefix.
  assert.equal(refused(session({ serverSeenAddress: '::ffff:127.0.0.1' })), 'lowered');
  assert.equal(getPriority(pid), 19);
});

test('a priority is only ever lowered, never raised', async (t) => {
  const child = spawn('nice', ['-n', '15', 'sleep', '30'], { stdio: 'ignore' });
  t.after(() => child.kill());
  const pid = child.pid!;
  const started = Math.min(19, getPriority() + 15);
  for (let i = 0; i < 100 && getPriority(pid) !== started; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(getPriority(pid), started);
  const session: Session = { pid, serverSeenAddress: '127.0.0.1', serverSeenPort: 5000, serverAddress: '127.0.0.1', socket: { localAddress: '127.0.0.1', localPort: 5000, remoteAddress: '127.0.0.1' } };
  assert.deepEqual(lowerSessionPriority(session, 10, () => 'postgres: im db 127.0.0.1(5000) idle', new Set(['127.0.0.1'])), { lowered: true, pid });
  assert.equal(getPriority(pid), started);
});

test("lowering a thread's priority leaves its process's other threads as they were", async (t) => {
  // On Linux a thread id names the thread alone to getPriority.
  const own = getPriority(process.pid);
  // The thread stays until told to go, so that its priority can be read.
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     parentPort.once('message', () => process.exit());
     import(${JSON.stringify(new URL('./priority.js', import.meta.url).href)}).then((m) => parentPort.postMessage(m.lowerThreadPriority(19)));`,
    { eval: true },
  );
  t.after(() => worker.terminate());
  const lowered = (await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject))) as { lowered: boolean; pid: number };
  assert.equal(lowered.lowered, true);
  assert.notEqual(lowered.pid, process.pid);
  assert.equal(getPriority(lowered.pid), 19);
  assert.equal(getPriority(process.pid), own);
  worker.postMessage('go');
});
