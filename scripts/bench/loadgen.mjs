// The load generator: a process of its own, driven by the bench over IPC. Senders send
// pre-encoded frames on a schedule (open loop: latency counts from when a message was due,
// so a stalled server cannot hide its stalls) or keep a fixed window in flight; receivers
// time each delivery against the due time the sender wrote into the message, and keep every
// seq they saw so the bench can count losses, duplicates and gaps.
import { Decoder, Encoder } from '@msgpack/msgpack';
import hdr from 'hdr-histogram-js';
import WebSocket from 'ws';
import { corkTick } from './common.mjs';

const encoder = new Encoder();
const decoder = new Decoder({ maxStrLength: 1 << 24, maxBinLength: 1 << 24, maxArrayLength: 1 << 20, maxMapLength: 1 << 20 });
const histogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120e6, numberOfSignificantValueDigits: 3 });
const nowNs = () => process.hrtime.bigint();
const sockets = [];
let received = new Map(); // conversation → Map(seq → deliveries)
let latency = histogram(); // µs, due → delivered
let fanout = new Map(); // "conv|seq" → { due, last, count }
let frames = 0;

function send(msg) {
  process.send(msg);
}

function open(url, token) {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    if (token) target.searchParams.set('token', token);
    const ws = new WebSocket(target, { perMessageDeflate: false });
    ws.binaryType = 'nodebuffer';
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function onFrame(ws, data) {
  frames++;
  let f;
  try {
    f = decoder.decode(data);
  } catch {
    return;
  }
  if (f.cmd === 'event') {
    const e = f.data;
    if (e.seq === undefined) return;
    let bySeq = received.get(e.conversation_id);
    if (!bySeq) received.set(e.conversation_id, (bySeq = new Map()));
    bySeq.set(e.seq, (bySeq.get(e.seq) ?? 0) + 1);
    const bar = e.content.indexOf('|');
    if (bar > 0) {
      const due = BigInt(e.content.slice(0, bar));
      const us = Number(nowNs() - due) / 1000;
      latency.recordValue(Math.max(1, Math.round(us)));
      const key = `${e.conversation_id}|${e.seq}`;
      const fo = fanout.get(key);
      if (fo) {
        fo.last = us;
        fo.count++;
      } else fanout.set(key, { last: us, count: 1 });
    }
  } else if (ws.onReply && (f.cmd === 'ack' || f.cmd === 'error' || f.cmd === 'result')) {
    ws.onReply(f);
  }
}

async function openAll({ url, tokens, concurrency = 200 }) {
  const started = nowNs();
  const failures = [];
  for (let i = 0; i < tokens.length; i += concurrency) {
    const batch = await Promise.allSettled(tokens.slice(i, i + concurrency).map((t) => open(url, t)));
    for (const r of batch) {
      if (r.status === 'fulfilled') {
        const ws = r.value;
        ws.on('message', (data) => onFrame(ws, data));
        ws.on('error', () => undefined);
        sockets.push(ws);
      } else failures.push(String(r.reason?.message ?? r.reason));
    }
  }
  return { opened: sockets.length, failures: failures.length, firstFailure: failures[0], ms: Number(nowNs() - started) / 1e6 };
}

/** Content of `bytes` that starts with the due time, so receivers can time deliveries. */
function content(dueNs, bytes) {
  const head = `${dueNs}|`;
  return head.length >= bytes ? head : head + 'x'.repeat(bytes - head.length);
}


/** Sends on a schedule: `rate` messages a second spread over the routes, for `seconds`. */
async function rate({ routes, rate, seconds, bytes, tag }) {
  const total = Math.round(rate * seconds);
  const start = nowNs() + 500_000_000n;
  const stepNs = BigInt(Math.round(1e9 / rate));
  // Every frame encoded before the clock starts: the generator's own cost stays small.
  const planned = new Array(total);
  for (let k = 0; k < total; k++) {
    const route = routes[k % routes.length];
    const due = start + BigInt(k) * stepNs;
    const frame = encoder.encode({ cmd: 'event', id: k + 1, data: { conversation_id: route.conversation_id, kind: 1, content: content(due, bytes), tags: [], cid: `${tag}-${k}` } });
    planned[k] = { ws: sockets[route.socket], due, frame, conversation_id: route.conversation_id };
  }
  return drive(planned, total, (k) => planned[k]);
}

async function drive(planned, total, at) {
  const acks = histogram();
  const errors = {};
  const acked = new Map(); // conversation → seqs
  let replies = 0;
  const dueOf = new Map();
  const onReply = (f) => {
    const due = dueOf.get(f.id);
    if (due === undefined) return;
    dueOf.delete(f.id);
    replies++;
    if (f.cmd === 'ack') {
      acks.recordValue(Math.max(1, Math.round(Number(nowNs() - due) / 1000)));
      let list = acked.get(f.data.conversation_id);
      if (!list) acked.set(f.data.conversation_id, (list = []));
      if (!f.data.duplicate) list.push(f.data.seq);
    } else {
      const code = f.data?.code ?? f.cmd;
      errors[code] = (errors[code] ?? 0) + 1;
    }
  };
  for (const ws of sockets) ws.onReply = onReply;
  let k = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const now = nowNs();
      while (k < total && at(k).due <= now) {
        const p = at(k);
        dueOf.set(k + 1, p.due);
        corkTick(p.ws);
        if (p.ws.readyState === WebSocket.OPEN) p.ws.send(p.frame);
        else errors.closed = (errors.closed ?? 0) + 1;
        k++;
      }
      if (k >= total) return resolve();
      const wait = Number(at(k).due - nowNs()) / 1e6;
      setTimeout(tick, wait > 1 ? Math.floor(wait) : 0);
    };
    tick();
  });
  const deadline = Date.now() + 15_000;
  while (replies < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return { sent: total, replies, unanswered: total - replies, errors, ack: summary(acks), acked: Object.fromEntries(acked) };
}

/** Keeps `window` messages in flight on every route for `seconds`: saturation. */
async function windowed({ routes, window, seconds, bytes, tag }) {
  const acks = histogram();
  const errors = {};
  const acked = new Map();
  let sent = 0;
  let replies = 0;
  let stopping = false;
  const inflight = new Map(); // socket index → Map(id → sentNs)
  const started = nowNs();
  let next = 1;
  const fire = (r) => {
    const ws = sockets[r.socket];
    if (stopping || ws.readyState !== WebSocket.OPEN) return;
    const id = next++;
    const t = nowNs();
    inflight.get(r.socket).set(id, { t, r });
    sent++;
    corkTick(ws);
    ws.send(encoder.encode({ cmd: 'event', id, data: { conversation_id: r.conversation_id, kind: 1, content: content(t, bytes), tags: [], cid: `${tag}-${id}` } }));
  };
  routes.forEach((r) => {
    if (!inflight.has(r.socket)) inflight.set(r.socket, new Map());
    const ws = sockets[r.socket];
    ws.onReply = (f) => {
      const pending = inflight.get(r.socket);
      const p = pending.get(f.id);
      if (!p) return;
      pending.delete(f.id);
      replies++;
      if (f.cmd === 'ack') {
        acks.recordValue(Math.max(1, Math.round(Number(nowNs() - p.t) / 1000)));
        let list = acked.get(f.data.conversation_id);
        if (!list) acked.set(f.data.conversation_id, (list = []));
        if (!f.data.duplicate) list.push(f.data.seq);
      } else {
        const code = f.data?.code ?? f.cmd;
        errors[code] = (errors[code] ?? 0) + 1;
      }
      fire(p.r);
    };
  });
  for (const r of routes) for (let i = 0; i < window; i++) fire(r);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  stopping = true;
  const ackedAtStop = replies;
  const elapsed = Number(nowNs() - started) / 1e9;
  const deadline = Date.now() + 15_000;
  while (replies < sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return { sent, replies, unanswered: sent - replies, errors, ack: summary(acks), acked: Object.fromEntries(acked), throughput: ackedAtStop / elapsed };
}

function summary(h) {
  return { count: h.totalCount, p50: h.getValueAtPercentile(50) / 1000, p99: h.getValueAtPercentile(99) / 1000, p999: h.getValueAtPercentile(99.9) / 1000, max: h.maxValue / 1000 };
}

function report({ members }) {
  const out = { frames, latency: summary(latency), received: {} };
  for (const [conv, bySeq] of received) out.received[conv] = [...bySeq.entries()];
  if (members) {
    // A group message is delivered when its last member has it.
    const done = histogram();
    let incomplete = 0;
    for (const fo of fanout.values()) {
      if (fo.count >= members) done.recordValue(Math.max(1, Math.round(fo.last)));
      else incomplete++;
    }
    out.fanout = { ...summary(done), incomplete };
  }
  received = new Map();
  latency = histogram();
  fanout = new Map();
  frames = 0;
  return out;
}

process.on('message', async (msg) => {
  try {
    if (msg.op === 'open') send({ op: msg.op, result: await openAll(msg) });
    else if (msg.op === 'rate') send({ op: msg.op, result: await rate(msg) });
    else if (msg.op === 'window') send({ op: msg.op, result: await windowed(msg) });
    else if (msg.op === 'report') send({ op: msg.op, result: report(msg) });
    else if (msg.op === 'close') {
      for (const ws of sockets.splice(0)) ws.terminate();
      send({ op: msg.op, result: true });
    } else if (msg.op === 'exit') process.exit(0);
  } catch (err) {
    send({ op: msg.op, error: String(err?.stack ?? err) });
  }
});
send({ op: 'ready' });
