#!/usr/bin/env node
import { Command } from 'commander';
import { ImClient, ImError, ImHttp } from '@im/client';
import type { Session } from '@im/protocol';
import { Repl } from './repl.js';

/**
 * im-cli: a terminal client of the cluster. Logs in (or registers first), then reads
 * commands and messages from stdin and prints conversations and live messages on stdout.
 */
const program = new Command()
  .name('im-cli')
  .description('Chat on an IM cluster from the terminal')
  .option('-u, --url <urls>', 'gateway URL(s), comma-separated', process.env.IM_URL ?? 'http://127.0.0.1:8080')
  .requiredOption('--user <username>', 'who to log in as')
  .option('--password <password>', 'password (default: $IM_PASSWORD)')
  .option('--register', 'create the account first')
  .option('--nickname <name>', 'nickname when registering')
  .option('--device <id>', 'device id of this session', 'cli')
  .parse();

interface Options {
  url: string;
  user: string;
  password?: string;
  register?: boolean;
  nickname?: string;
  device: string;
}

async function main(): Promise<void> {
  const opts = program.opts<Options>();
  const password = opts.password ?? process.env.IM_PASSWORD;
  if (!password) {
    console.error('a password is needed: --password or IM_PASSWORD');
    process.exit(2);
  }
  const urls = opts.url.split(',').map((u) => u.trim()).filter(Boolean);
  const http = new ImHttp(urls[0]!);
  let session: Session;
  try {
    if (opts.register) {
      await http.register({ username: opts.user, password, ...(opts.nickname ? { nickname: opts.nickname } : {}) });
      console.log(`registered ${opts.user}`);
    }
    session = await http.login({ username: opts.user, password, device_id: opts.device, platform: 'desktop' });
  } catch (err) {
    console.error(`cannot log in: ${err instanceof ImError ? err.message : String(err)}`);
    process.exit(1);
  }
  const client = new ImClient({ url: urls, session });
  const repl = new Repl(client, process.stdin, process.stdout);
  await repl.start();
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
