import readline from 'node:readline';
import { ImError, type ImClient } from '@im/client';
import type { Conversation, ImEvent, User } from '@im/protocol';
import { conversationLine, messageLine } from './format.js';

const HELP = `commands:
  /list                      your conversations, newest first
  /open <n | conversation>   open one: its recent messages, then live ones; plain lines are sent to it
  /close                     leave the open conversation
  /friend <username>         send a friend request
  /requests                  incoming friend requests
  /accept <n>                accept request n of /requests
  /group <name> <user> ...   create a group with these usernames
  /whoami                    who you are
  /help                      this list
  /quit                      leave`;

/**
 * The interactive part: one line in, readable lines out. Lines starting with "/" are
 * commands; any other line is a message to the open conversation.
 */
export class Repl {
  private readonly rl: readline.Interface;
  private conversations: Conversation[] = [];
  private open: Conversation | undefined;
  private requests: Array<{ request_id: string; from_user_id: string }> = [];
  private readonly names = new Map<string, string>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: ImClient,
    input: NodeJS.ReadableStream,
    private readonly output: NodeJS.WritableStream,
  ) {
    this.rl = readline.createInterface({ input, terminal: false });
  }

  private say(line: string): void {
    this.output.write(`${line}\n`);
  }

  async start(): Promise<void> {
    const c = this.client;
    c.on('state', (s) => {
      if (s.state === 'reconnecting') this.say('* connection lost, reconnecting…');
      else if (s.state === 'open' && s.previous === 'reconnecting') this.say('* reconnected');
      else if (s.state === 'closed' && s.closed?.reason !== 'client') {
        this.say(`* disconnected: ${s.closed?.message ?? ''}`);
        process.exitCode = 1;
        this.rl.close();
      }
    });
    c.on('event', (e) => void this.onEvent(e));
    c.on('notice', (n) => {
      if (n.type === 'friend_request') this.say('* new friend request: /requests');
      else if (n.type === 'friend_accepted') this.say('* your friend request was accepted: /list');
      else if (n.type === 'group_joined') this.say(`* you were added to group ${(n.group as { name?: string } | undefined)?.name ?? ''}`);
    });
    await c.connect();
    try {
      await c.ready();
    } catch (err) {
      this.say(`* cannot connect: ${(err as Error).message}`);
      process.exitCode = 1;
      return;
    }
    this.names.set(c.userId, 'me');
    this.say(`logged in as ${c.currentSession.user.username} (${c.userId}); /help for commands`);
    this.rl.on('line', (line) => {
      // One line at a time, in order, so a script of lines behaves as typed.
      this.queue = this.queue.then(() => this.handle(line.trim())).catch((err) => this.say(`! ${describe(err)}`));
    });
    await new Promise<void>((resolve) => this.rl.on('close', resolve));
    await this.queue;
    await c.close();
  }

  private async handle(line: string): Promise<void> {
    if (line === '') return;
    if (!line.startsWith('/')) {
      if (!this.open) return this.say('! open a conversation first: /list, then /open <n>');
      const ack = await this.client.sendText(this.open.conversation_id, line);
      return this.say(`  sent #${ack.seq}`);
    }
    const [cmd, ...args] = line.split(/\s+/);
    switch (cmd) {
      case '/help':
        return this.say(HELP);
      case '/whoami':
        return this.say(`${this.client.currentSession.user.username} (${this.client.userId})`);
      case '/list':
        return this.list();
      case '/open':
        return this.openConversation(args[0]);
      case '/close':
        this.open = undefined;
        return this.say('* closed');
      case '/friend':
        return this.friend(args[0]);
      case '/requests':
        return this.listRequests();
      case '/accept':
        return this.accept(args[0]);
      case '/group':
        return this.group(args[0], args.slice(1));
      case '/quit':
        this.rl.close();
        return;
      default:
        return this.say(`! unknown command ${cmd}; /help lists them`);
    }
  }

  private async list(): Promise<void> {
    this.conversations = (await this.client.getConversations()).conversations;
    if (this.conversations.length === 0) return this.say('no conversations yet');
    this.conversations.forEach((c, i) => this.say(conversationLine(i + 1, c)));
  }

  private async openConversation(which: string | undefined): Promise<void> {
    if (!which) return this.say('! usage: /open <n | conversation id>');
    if (this.conversations.length === 0) this.conversations = (await this.client.getConversations()).conversations;
    const n = Number(which);
    const found = Number.isInteger(n) && n >= 1 ? this.conversations[n - 1] : this.conversations.find((c) => c.conversation_id === which);
    if (!found) return this.say(`! no conversation ${which}; /list shows them`);
    this.open = found;
    this.say(`--- ${found.name} ---`);
    const page = await this.client.history(found.conversation_id, { limit: 20 });
    await this.learnNames(page.events.map((e) => e.sender_id));
    for (const m of this.client.view.messages(found.conversation_id).slice(-20)) this.say(messageLine(m, this.name(m.sender_id)));
    if (page.max_seq > 0) await this.client.markRead(found.conversation_id, page.max_seq).catch(() => undefined);
  }

  private async onEvent(e: ImEvent): Promise<void> {
    if (e.sender_id === this.client.userId) return;
    await this.learnNames([e.sender_id]).catch(() => undefined);
    if (this.open?.conversation_id === e.conversation_id) {
      this.say(messageLine(e, this.name(e.sender_id)));
      void this.client.markRead(e.conversation_id, e.seq).catch(() => undefined);
    } else {
      const where = this.conversations.find((c) => c.conversation_id === e.conversation_id)?.name ?? 'a conversation';
      this.say(`* new message in ${where} from ${this.name(e.sender_id)}`);
    }
  }

  private async findUser(username: string): Promise<User> {
    const { users } = await this.client.searchUsers(username, 50);
    const user = users.find((u) => u.username.toLowerCase() === username.toLowerCase());
    if (!user) throw new Error(`no user named ${username}`);
    this.names.set(user.user_id, user.nickname || user.username);
    return user;
  }

  private async friend(username: string | undefined): Promise<void> {
    if (!username) return this.say('! usage: /friend <username>');
    const user = await this.findUser(username);
    const { status } = await this.client.sendFriendRequest(user.user_id);
    this.say(status === 'accepted' ? `* you and ${username} are friends now` : `* friend request sent to ${username}`);
  }

  private async listRequests(): Promise<void> {
    this.requests = (await this.client.getFriendRequests('incoming')).requests;
    if (this.requests.length === 0) return this.say('no friend requests');
    await this.learnNames(this.requests.map((r) => r.from_user_id));
    this.requests.forEach((r, i) => this.say(`${String(i + 1).padStart(3)}. from ${this.name(r.from_user_id)}`));
  }

  private async accept(which: string | undefined): Promise<void> {
    const r = this.requests[Number(which) - 1];
    if (!r) return this.say('! usage: /accept <n> (numbers from /requests)');
    await this.client.acceptFriendRequest(r.request_id);
    this.say(`* you and ${this.name(r.from_user_id)} are friends now`);
  }

  private async group(name: string | undefined, usernames: string[]): Promise<void> {
    if (!name) return this.say('! usage: /group <name> <username> ...');
    const members = [];
    for (const u of usernames) members.push((await this.findUser(u)).user_id);
    const { group } = await this.client.createGroup(name, members);
    this.say(`* group ${group.name} created with ${group.member_count} members`);
  }

  private async learnNames(ids: string[]): Promise<void> {
    const unknown = [...new Set(ids)].filter((id) => !this.names.has(id));
    if (unknown.length === 0) return;
    const { users } = await this.client.getUserInfo(unknown.slice(0, 100));
    for (const u of users) this.names.set(u.user_id, u.nickname || u.username);
  }

  private name(userId: string): string {
    return this.names.get(userId) ?? userId;
  }
}

function describe(err: unknown): string {
  if (err instanceof ImError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
