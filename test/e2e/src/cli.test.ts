import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { startCluster, type Cluster } from './cluster.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../packages/cli/dist/main.js');

/** im-cli as a person runs it: lines typed into stdin, lines read from stdout. */
class Terminal {
  private readonly child: ChildProcessWithoutNullStreams;
  readonly lines: string[] = [];
  private seen = 0;
  private buffer = '';
  private waiters: Array<() => void> = [];
  readonly exited: Promise<number | null>;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [CLI, ...args], { stdio: 'pipe', env: { ...process.env, IM_PASSWORD: 'correct horse battery' } });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      this.buffer += chunk;
      const parts = this.buffer.split('\n');
      this.buffer = parts.pop()!;
      this.lines.push(...parts);
      for (const w of this.waiters.splice(0)) w();
    });
    this.child.stderr.on('data', (d) => this.lines.push(`stderr: ${d}`));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  type(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** Waits for a line (after the last one matched) that matches; returns it. */
  async expect(pattern: RegExp, ms = 20_000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      for (let i = this.seen; i < this.lines.length; i++) {
        if (pattern.test(this.lines[i]!)) {
          this.seen = i + 1;
          return this.lines[i]!;
        }
      }
      if (Date.now() > deadline) throw new Error(`no line matching ${pattern}; output:\n${this.lines.join('\n')}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

describe('im-cli against a real cluster', () => {
  let cluster: Cluster;
  const terminals: Terminal[] = [];

  before(async () => {
    cluster = await startCluster();
  });

  after(async () => {
    for (const t of terminals) t.kill();
    await cluster?.stop();
  });

  test('register, befriend, list, open, chat both ways with live pushes, create a group, quit', async () => {
    const suffix = Date.now().toString(36);
    const alice = new Terminal(['--url', cluster.gatewayUrl, '--user', `alice${suffix}`, '--register', '--nickname', 'Alice']);
    const bob = new Terminal(['--url', cluster.gatewayUrl, '--user', `bob${suffix}`, '--register', '--nickname', 'Bob']);
    terminals.push(alice, bob);
    await alice.expect(/^logged in as alice/);
    await bob.expect(/^logged in as bob/);

    alice.type('/list');
    await alice.expect(/^no conversations yet$/);
    alice.type(`/friend bob${suffix}`);
    await alice.expect(/friend request sent to bob/);
    await bob.expect(/new friend request/);
    bob.type('/requests');
    await bob.expect(/1\. from Alice/);
    bob.type('/accept 1');
    await bob.expect(/you and Alice are friends now/);
    await alice.expect(/friend request was accepted/);

    alice.type('/list');
    await alice.expect(/1\. Bob \[single\]/);
    alice.type('/open 1');
    await alice.expect(/^--- Bob ---$/);
    alice.type('hello bob');
    await alice.expect(/sent #1$/);
    await bob.expect(/new message in .* from Alice/);

    bob.type('/list');
    await bob.expect(/1\. Alice \[single\] \(1 unread\) - hello bob/);
    bob.type('/open 1');
    await bob.expect(/^\[\d\d:\d\d\] Alice: hello bob$/);
    bob.type('hi alice, nice terminal');
    await bob.expect(/sent #2$/);
    // A live push into the open conversation.
    await alice.expect(/^\[\d\d:\d\d\] Bob: hi alice, nice terminal$/);

    alice.type(`/group team${suffix} bob${suffix}`);
    await alice.expect(new RegExp(`group team${suffix} created with 2 members`));
    await bob.expect(new RegExp(`added to group team${suffix}`));

    alice.type('/nonsense');
    await alice.expect(/unknown command \/nonsense/);
    alice.type('/quit');
    assert.equal(await alice.exited, 0);
    bob.type('/quit');
    assert.equal(await bob.exited, 0);
  });

  test('a wrong password is refused with a readable message and a non-zero exit', async () => {
    const t = new Terminal(['--url', cluster.gatewayUrl, '--user', 'nobody_here', '--password', 'wrong password']);
    terminals.push(t);
    await t.expect(/stderr: cannot log in: /);
    assert.equal(await t.exited, 1);
  });
});
