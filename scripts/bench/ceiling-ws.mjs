// The "bare ws relay" ceiling: what the same load costs when nothing is validated, stored
// or routed between processes. Same frames, same MessagePack, same acks and pushes as the
// cluster, in one process that only keeps a seq per conversation.
import { Decoder, Encoder } from '@msgpack/msgpack';
import { WebSocketServer } from 'ws';
import { corkTick } from './common.mjs';

const encoder = new Encoder();
const decoder = new Decoder();
let members = new Map(); // conversation → user ids
const socketsOf = new Map(); // user → Set(ws)
const seqs = new Map();

function corkedSend(ws, bytes) {
  corkTick(ws);
  ws.send(bytes);
}

const wss = new WebSocketServer({ port: Number(process.env.PORT), perMessageDeflate: false, clientTracking: false });
wss.on('connection', (ws, req) => {
  const user = new URL(req.url, 'http://x').searchParams.get('token');
  let set = socketsOf.get(user);
  if (!set) socketsOf.set(user, (set = new Set()));
  set.add(ws);
  ws.on('close', () => set.delete(ws));
  ws.on('message', (data) => {
    const f = decoder.decode(data);
    if (f.cmd !== 'event') return;
    const d = f.data;
    const seq = (seqs.get(d.conversation_id) ?? 0) + 1;
    seqs.set(d.conversation_id, seq);
    const created_at = Date.now();
    const event = { id: '0'.repeat(64), conversation_id: d.conversation_id, seq, sender_id: user, kind: d.kind, content: d.content, tags: d.tags ?? [], cid: d.cid, created_at };
    const push = encoder.encode({ cmd: 'event', data: event });
    for (const m of members.get(d.conversation_id) ?? []) for (const other of socketsOf.get(m) ?? []) if (other !== ws) corkedSend(other, push);
    corkedSend(ws, encoder.encode({ cmd: 'ack', id: f.id, data: { event_id: event.id, conversation_id: d.conversation_id, seq, created_at, cid: d.cid, duplicate: false } }));
  });
});
process.on('message', (msg) => {
  if (msg.op === 'members') {
    members = new Map(Object.entries(msg.members));
    process.send({ op: 'members' });
  }
});
wss.on('listening', () => process.send({ op: 'ready' }));
