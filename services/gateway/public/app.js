// A small client of the binary WebSocket protocol, for trying the cluster in a browser.
'use strict';
const { encode, decode } = MessagePack;
const $ = (id) => document.getElementById(id);
let ws, me, token, current, nextId = 1;
const pending = new Map();

async function http(path, body) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = res.status === 204 ? {} : await res.json();
  if (!res.ok) throw new Error(json.error ? `${json.error.code}: ${json.error.message}` : `HTTP ${res.status}`);
  return json;
}

function request(cmd, data) {
  const id = nextId++;
  ws.send(encode({ cmd, id, data }));
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}

function line(text, cls) {
  const div = document.createElement('div');
  div.className = `msg ${cls || ''}`;
  div.textContent = text;
  $('log').append(div);
  $('log').scrollTop = $('log').scrollHeight;
}

function show(e) {
  const mine = e.sender_id === me.user_id;
  const who = mine ? 'me' : current && current.type === 'single' ? current.name : e.sender_id;
  if (e.kind === 1) line(`#${e.seq} ${who}: ${e.content}`, mine ? 'me' : '');
  else if (e.kind === 3) showFile(e, who, mine);
  else if (e.kind === 11) $('title').textContent = `${current.name} (typing…)`;
}

/** A file event: a link that downloads with the access token (files are served to members only). */
function showFile(e, who, mine) {
  const tag = (name) => (e.tags.find((t) => t[0] === name) || [])[1];
  const div = document.createElement('div');
  div.className = `msg ${mine ? 'me' : ''}`;
  const a = document.createElement('a');
  const url = tag('url') || '';
  a.href = url.includes('/api/files/') ? `${url}?token=${encodeURIComponent(token)}` : url;
  a.target = '_blank';
  a.rel = 'noopener';
  a.textContent = tag('name') || 'file';
  div.append(`#${e.seq} ${who}: ${e.content ? `${e.content} ` : ''}`, a, ` (${tag('size') || '?'} bytes)`);
  $('log').append(div);
  $('log').scrollTop = $('log').scrollHeight;
}

async function refreshLists() {
  const { conversations } = await request('get_conversations');
  $('conversations').replaceChildren(
    ...conversations.map((c) => {
      const div = document.createElement('div');
      div.className = `conv ${current && current.conversation_id === c.conversation_id ? 'active' : ''}`;
      div.textContent = `${c.name || c.conversation_id}${c.unread ? ` (${c.unread})` : ''}`;
      div.onclick = () => open(c);
      return div;
    }),
  );
  const { requests } = await request('get_friend_requests');
  $('requests').replaceChildren(
    ...requests.map((r) => {
      const b = document.createElement('button');
      b.textContent = `Accept ${r.from_user_id}`;
      b.onclick = async () => { await request('accept_friend_request', { request_id: r.request_id }); refreshLists(); };
      return b;
    }),
  );
}

async function open(c) {
  current = c;
  $('title').textContent = c.name || c.conversation_id;
  $('log').replaceChildren();
  $('text').disabled = $('send').disabled = $('file').disabled = false;
  await request('subscribe', { conversation_id: c.conversation_id });
  const { events } = await request('sync', { conversation_id: c.conversation_id, limit: 50 });
  events.forEach(show);
  if (events.length) await request('event', { conversation_id: c.conversation_id, kind: 10, content: String(events[events.length - 1].seq) });
  refreshLists();
}

function connect(session) {
  me = session.user;
  token = session.token;
  ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?token=${encodeURIComponent(session.token)}`);
  ws.binaryType = 'arraybuffer';
  ws.onopen = () => { $('auth').disabled = true; line(`connected as ${me.username} (${me.user_id})`, 'sys'); refreshLists(); };
  ws.onclose = (e) => line(`disconnected (${e.code})`, 'sys');
  ws.onmessage = (m) => {
    const f = decode(new Uint8Array(m.data));
    if (f.id !== undefined && pending.has(f.id)) {
      const p = pending.get(f.id);
      pending.delete(f.id);
      f.cmd === 'error' ? p.reject(new Error(`${f.data.code}: ${f.data.message}`)) : p.resolve(f.data);
    } else if (f.cmd === 'event' && current && f.data.conversation_id === current.conversation_id) show(f.data);
    else if (f.cmd === 'event' || f.cmd === 'notice') refreshLists();
    if (f.cmd === 'notice') line(`notice: ${f.data.type}`, 'sys');
  };
}

async function login() {
  connect(await http('/api/login', { username: $('username').value, password: $('password').value, platform: 'web' }));
}

$('register').onclick = () => http('/api/register', { username: $('username').value, password: $('password').value }).then(login).catch((e) => alert(e.message));
$('login').onclick = () => login().catch((e) => alert(e.message));
$('find').onclick = async () => {
  const { users } = await request('search_users', { query: $('search').value });
  $('found').replaceChildren(
    ...users.filter((u) => u.user_id !== me.user_id).map((u) => {
      const b = document.createElement('button');
      b.textContent = `Add ${u.username}`;
      b.onclick = () => request('send_friend_request', { user_id: u.user_id }).then(() => (b.textContent = 'requested'), (e) => alert(e.message));
      return b;
    }),
  );
};
$('send').onclick = async () => {
  const content = $('text').value;
  if (!content) return;
  $('text').value = '';
  const ack = await request('event', { conversation_id: current.conversation_id, kind: 1, content, cid: crypto.randomUUID() }).catch((e) => alert(e.message));
  if (ack) show({ kind: 1, seq: ack.seq, sender_id: me.user_id, content });
};
$('text').onkeydown = (e) => {
  if (e.key === 'Enter') $('send').onclick();
  else if (current) ws.send(encode({ cmd: 'event', data: { conversation_id: current.conversation_id, kind: 11, content: '' } }));
};
// Attach: upload the file (streamed, with its name and type), then send the file event.
$('file').onchange = async () => {
  const file = $('file').files[0];
  $('file').value = '';
  if (!file || !current) return;
  try {
    const res = await fetch(`/api/files?name=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': file.type || 'application/octet-stream' },
      body: file,
    });
    const up = await res.json();
    if (!res.ok) throw new Error(`${up.error.code}: ${up.error.message}`);
    const tags = [['url', up.url], ['m', up.mime], ['size', String(up.size)], ['x', up.sha256], ['name', file.name]];
    const ack = await request('event', { conversation_id: current.conversation_id, kind: 3, content: '', tags, cid: crypto.randomUUID() });
    show({ kind: 3, seq: ack.seq, sender_id: me.user_id, content: '', tags });
  } catch (e) {
    alert(e.message);
  }
};
