import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { ImClient, MemoryStore, type ImSocket } from '@im/client';
import { Kind, type ImEvent } from '@im/protocol';
import { newUser, startCluster, type Cluster, type TestUser } from './cluster.js';
import { lossySockets, openClient, range, record, sleep, until, type Recorded } from './client-helpers.js';

describe('ImClient stream: gaps repaired by sync, the local view, the outbox across a reload', () => {
  let cluster: Cluster;
  let alice: TestUser;
  let bob: TestUser;
  let bobSocket: ImSocket;
  let conv: string;
  const clients: Recorded[] = [];

  before(async () => {
    cluster = await startCluster();
    alice = await newUser(cluster, 'alice');
    bob = await newUser(cluster, 'bob');
    bobSocket = await bob.connect();
    const a = await alice.connect();
    const { request_id } = await a.request('send_friend_request', { user_id: bob.userId });
    conv = (await bobSocket.request('accept_friend_request', { request_id })).conversation_id;
    a.terminate();
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.client.close()));
    bobSocket?.terminate();
    await cluster?.stop();
  });

  test('pushes lost on the way are noticed at the next push and fetched by sync, delivered once and in order', async () => {
    const start = (await bobSocket.request('sync', { conversation_id: conv })).max_seq;
    const lost = new Set([start + 3, start + 4, start + 7]);
    const dropped: number[] = [];
    const a = await openClient(cluster, alice, {
      openSocket: lossySockets((f) => {
        const seq = (f.data as ImEvent | undefined)?.seq;
        if (f.cmd === 'event' && seq !== undefined && lost.has(seq)) {
          dropped.push(seq);
          return true;
        }
        return false;
      }),
    });
    clients.push(a);
    for (let i = 1; i <= 8; i++) await bobSocket.sendText(conv, `gap ${i}`);
    await until(() => a.seqs(conv).length === 8, 'eight events');
    await sleep(200);
    assert.deepEqual(dropped.sort((x, y) => x - y), [...lost], 'the pushes really were lost');
    assert.deepEqual(a.seqs(conv), range(8).map((i) => start + i));
    assert.deepEqual(a.events.filter((e) => e.conversation_id === conv).map((e) => e.content), range(8).map((i) => `gap ${i}`));
  });

  test('a dropped connection: what was sent meanwhile arrives by sync after reconnecting, once', async () => {
    const a = await openClient(cluster, alice);
    clients.push(a);
    const start = (await bobSocket.request('sync', { conversation_id: conv })).max_seq;
    const socketOf = (c: ImClient) => (c as unknown as { socket: ImSocket }).socket;
    socketOf(a.client).terminate();
    for (let i = 1; i <= 5; i++) await bobSocket.sendText(conv, `while away ${i}`);
    await until(() => a.seqs(conv).filter((s) => s > start).length === 5, 'five events');
    assert.deepEqual(a.seqs(conv).filter((s) => s > start), range(5).map((i) => start + i));
    assert.ok(a.states.some((s) => s.state === 'reconnecting'));
  });

  test('the local view applies edits, revokes and reactions, from pushes and from sync', async () => {
    const a = await openClient(cluster, alice);
    clients.push(a);
    const views: number[] = [];
    a.client.on('view', (v) => v.conversation_id === conv && views.push(v.messages.length));
    const m1 = await bobSocket.sendText(conv, 'first draft');
    const m2 = await bobSocket.sendText(conv, 'to be revoked');
    await until(() => a.client.view.message(m2.event_id) !== undefined, 'messages in the view');
    await bobSocket.sendEvent({ conversation_id: conv, kind: Kind.EDIT, content: 'final text', tags: [['e', m1.event_id]], cid: `edit-${m1.seq}-${Date.now()}` });
    await bobSocket.sendEvent({ conversation_id: conv, kind: Kind.REVOKE, content: '', tags: [['e', m2.event_id]], cid: `revoke-${m2.seq}-${Date.now()}` });
    await a.client.react(conv, m1.event_id, '👍');
    await bobSocket.sendEvent({ conversation_id: conv, kind: Kind.REACTION, content: '🎉', tags: [['e', m1.event_id]], cid: `react-${m1.seq}-${Date.now()}` });
    await until(() => a.client.view.message(m1.event_id)?.reactions?.['🎉'] !== undefined, 'reactions applied');
    const one = a.client.view.message(m1.event_id)!;
    assert.equal(one.content, 'final text');
    assert.ok(one.edited_at);
    assert.deepEqual(one.reactions, { '👍': [alice.userId], '🎉': [bob.userId] });
    const two = a.client.view.message(m2.event_id)!;
    assert.equal(two.content, '');
    assert.ok(two.revoked_at);
    assert.ok(views.length > 0);
    // A fresh client that learns it all from sync (history) agrees with the server's state.
    const fresh = await openClient(cluster, alice);
    clients.push(fresh);
    await fresh.client.history(conv, { limit: 200 });
    for (const id of [m1.event_id, m2.event_id]) assert.deepEqual(fresh.client.view.message(id), a.client.view.message(id));
    // The change events themselves are delivered too, and are not messages of the view.
    assert.ok(a.events.some((e) => e.kind === Kind.EDIT));
    assert.ok(a.client.view.messages(conv).every((m) => [Kind.TEXT, Kind.FILE, Kind.FORWARD].includes(m.kind as 1)));
  });

  test('a reloaded app resends what was never acked, with the same cid: stored once', async () => {
    const store = new MemoryStore();
    // The first run loses every ack: the events are committed, the app never hears so.
    const first = await openClient(cluster, alice, { store, openSocket: lossySockets((f) => f.cmd === 'ack') });
    const start = (await bobSocket.request('sync', { conversation_id: conv })).max_seq;
    const delivered = new Promise<ImEvent[]>((resolve) => {
      const got: ImEvent[] = [];
      const on = (e: ImEvent) => got.push(e) === 2 && (bobSocket.off('event', on), resolve(got));
      bobSocket.on('event', on);
    });
    const pending = [first.client.sendText(conv, 'reload 1'), first.client.sendText(conv, 'reload 2')];
    assert.deepEqual((await delivered).map((e) => e.content), ['reload 1', 'reload 2']);
    assert.equal(first.client.pending().length, 2, 'committed, but not acknowledged to the app');
    await first.client.close();
    await Promise.all(pending.map((p) => assert.rejects(p, (e: { code: string }) => e.code === 'unavailable')));
    assert.equal((await store.loadOutbox()).length, 2, 'still stored');

    // The "reloaded" app: a new client over the same store resends; the server answers duplicates.
    const second = new ImClient({ url: cluster.gatewayUrl, session: alice.session, store });
    const r = record(second);
    clients.push(r);
    const sent: Array<{ duplicate: boolean; seq: number }> = [];
    second.on('sent', ({ ack }) => sent.push(ack));
    await second.connect();
    await until(() => sent.length === 2, 'both acked');
    assert.deepEqual(sent.map((s) => s.duplicate), [true, true]);
    assert.deepEqual(sent.map((s) => s.seq), [start + 1, start + 2]);
    assert.equal((await store.loadOutbox()).length, 0);
    const history = await bobSocket.request('sync', { conversation_id: conv, after_seq: start });
    assert.deepEqual(history.events.map((e) => e.content), ['reload 1', 'reload 2'], 'stored once each');
  });

  test('GET /api/openapi.json serves the committed OpenAPI document', async () => {
    const res = await fetch(`${cluster.gatewayUrl}/api/openapi.json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const committed = JSON.parse(fs.readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/protocol/openapi.json'), 'utf8'));
    assert.deepEqual(await res.json(), committed);
  });

  test('requests other than events fail fast with unavailable while not connected; send() waits', async () => {
    const c = new ImClient({ url: 'http://127.0.0.1:9', session: alice.session, backoff: { baseMs: 50, maxMs: 100 } });
    const rc = record(c);
    clients.push(rc);
    await c.connect();
    await assert.rejects(c.getFriends(), (e: { code: string }) => e.code === 'unavailable');
    let settled = false;
    void c.sendText(conv, 'later').then(
      () => (settled = true),
      () => (settled = true),
    );
    await until(() => rc.retries >= 2, 'retrying');
    assert.equal(settled, false);
    assert.equal(c.pending().length, 1);
    await c.close();
    await until(() => settled, 'rejected on close');
  });
});
