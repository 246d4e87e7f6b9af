#!/usr/bin/env node
// Two users chatting through a running cluster (`make run` first), with the client SDK.
// Usage: node scripts/demo-chat.mjs [http://127.0.0.1:8080]
import { ImHttp, ImSocket } from '@im/client';

const http = new ImHttp(process.argv[2] ?? 'http://127.0.0.1:8080');
const suffix = Date.now().toString(36);

async function signUp(name) {
  const username = `${name}_${suffix}`;
  await http.register({ username, password: 'correct horse battery', nickname: name });
  const session = await http.login({ username, password: 'correct horse battery', device_id: `${name}-laptop` });
  const socket = await ImSocket.connect(http.wsUrl(), session.token);
  return { id: session.user.user_id, socket };
}

const alice = await signUp('alice');
const bob = await signUp('bob');

bob.socket.on('notice', (n) => console.log('bob   <- notice', n.type));
bob.socket.on('event', (e) => console.log(`bob   <- #${e.seq} ${e.content}`));
alice.socket.on('event', (e) => console.log(`alice <- #${e.seq} ${e.content}`));

const { request_id } = await alice.socket.request('send_friend_request', { user_id: bob.id, message: 'hi, it is alice' });
const { conversation_id } = await bob.socket.request('accept_friend_request', { request_id });

const ack = await alice.socket.sendText(conversation_id, 'Hello Bob!');
console.log(`alice -> #${ack.seq} acked (committed) as ${ack.event_id.slice(0, 12)}…`);
await bob.socket.sendText(conversation_id, 'Hi Alice!');

const history = await bob.socket.request('sync', { conversation_id, after_seq: 0 });
console.log('history:', history.events.map((e) => `#${e.seq} ${e.content}`).join(' | '));

await new Promise((r) => setTimeout(r, 200));
alice.socket.close();
bob.socket.close();
