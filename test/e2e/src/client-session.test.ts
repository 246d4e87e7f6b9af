import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ImClient, ImSocket } from '@im/client';
import { newUser, startCluster, type Cluster } from './cluster.js';
import { openClient, range, record, until, type Recorded } from './client-helpers.js';

describe('ImClient sessions: token expiry (4001) and refresh', () => {
  let cluster: Cluster;
  const clients: Recorded[] = [];

  before(async () => {
    // Access tokens live 3 s: sockets are closed with 4001 that soon after opening.
    cluster = await startCluster({ seakingEnv: { ACCESS_TOKEN_TTL: '3' } });
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.client.close()));
    await cluster?.stop();
  });

  async function friends() {
    const alice = await newUser(cluster, 'alice');
    const bob = await newUser(cluster, 'bob');
    const b = await openClient(cluster, bob);
    clients.push(b);
    return { alice, bob, b };
  }

  test('4001: the client refreshes its token, reconnects and carries on; the app gets the new session', async () => {
    const { alice, bob, b } = await friends();
    const a = await openClient(cluster, alice, { refreshBeforeExpiryMs: 0 });
    clients.push(a);
    const { request_id } = await a.client.sendFriendRequest(bob.userId);
    const { conversation_id } = await b.client.acceptFriendRequest(request_id);
    const sent: number[] = [];
    // Keep sending across at least two expiries.
    while (a.sessions.length < 2) {
      sent.push((await a.client.sendText(conversation_id, `m${sent.length + 1}`)).seq);
    }
    assert.deepEqual(sent, range(sent.length));
    assert.ok(a.states.some((s) => s.state === 'reconnecting' && s.code === 4001), 'closed with 4001 and reconnected');
    assert.notEqual(a.sessions[1]!.refresh_token, alice.session.refresh_token);
    assert.equal(a.client.currentSession.token, a.sessions.at(-1)!.token);
    await until(() => b.seqs(conversation_id).length === sent.length, 'bob got everything');
    assert.deepEqual(b.seqs(conversation_id), range(sent.length));
    assert.deepEqual(a.seqs(conversation_id), range(sent.length));
  });

  test('refreshing ahead of expiry: a new session arrives and the client stays usable', async () => {
    const { alice } = await friends();
    const a = await openClient(cluster, alice);
    clients.push(a);
    await until(() => a.sessions.length >= 2, 'two refreshes');
    await a.client.ready();
    assert.ok((await a.client.getFriends()).friends);
    assert.equal(a.client.state, 'open');
  });

  test('files: an upload and a download with an expired token refresh it once and succeed', async () => {
    const { alice } = await friends();
    // Not connected: only the file calls can notice the expiry, by their 401.
    const a = record(new ImClient({ url: cluster.gatewayUrl, session: alice.session, refreshBeforeExpiryMs: 0 }));
    const expired = () => Date.now() > a.client.currentSession.expires_at + 1000;
    await until(expired, 'the first token to expire');
    const bytes = Buffer.from('a file sent with a stale token');
    const file = await a.client.uploadFile(bytes, { name: 'stale.txt', mime: 'text/plain' });
    assert.equal(file.size, bytes.length);
    assert.equal(a.sessions.length, 1, 'refreshed once');
    await until(expired, 'the refreshed token to expire');
    const res = await a.client.downloadFile(file.url);
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes);
    assert.equal(a.sessions.length, 2);
    // A stream cannot be read twice: its 401 is the caller's to handle.
    await until(expired, 'the third token to expire');
    await assert.rejects(
      a.client.uploadFile(new Blob([bytes]).stream(), { name: 'stream.txt' }),
      (err: { status?: number }) => err.status === 401,
    );
  });

  test('a refused refresh is reported as closed (refresh_failed), never retried', async () => {
    const { alice } = await friends();
    // Whether it opens first or meets the expiry at the upgrade, the refresh is refused.
    const a = record(new ImClient({ url: cluster.gatewayUrl, session: { ...alice.session, refresh_token: 'not-a-real-refresh-token' }, refreshBeforeExpiryMs: 0 }));
    await a.client.connect();
    await until(() => a.client.state === 'closed', 'closed after the refused refresh');
    assert.equal(a.client.closeReason?.reason, 'refresh_failed');
    assert.equal(a.client.closeReason?.error?.code, 'unauthorized');
    assert.equal(a.states.at(-1)!.state, 'closed');
    assert.equal(a.retries, 0, 'no reconnect was scheduled');
    await assert.rejects(a.client.sendText('c', 'x'), (e: { code: string }) => e.code === 'unauthorized');
  });
});

describe('ImClient sessions: replaced (4002), revoked (4003)', () => {
  let cl: Cluster;

  before(async () => {
    cl = await startCluster({ gatewayEnv: { MAX_CONN_PER_USER: '1' } });
  });

  after(async () => {
    await cl?.stop();
  });

  test('4002 (replaced by newer sockets) stops the client, saying why', async () => {
    {
      const alice = await newUser(cl, 'alice');
      const a = await openClient(cl, alice);
      const newer = await ImSocket.connect(cl.http.wsUrl(), alice.session.token);
      await until(() => a.client.state === 'closed', 'closed');
      assert.equal(a.client.closeReason?.reason, 'replaced');
      assert.equal(a.client.closeReason?.code, 4002);
      assert.equal(a.retries, 0, 'no reconnect');
      assert.deepEqual(a.states.map((s) => s.state), ['connecting', 'open', 'closed']);
      // The newer socket is the one that stays.
      assert.ok((await newer.request('get_friends')).friends);
      newer.terminate();
    }
  });

  test('4003 (session revoked by logout elsewhere) stops the client, saying why; logout() clears the store', async () => {
    const alice = await newUser(cl, 'alice');
    const a = await openClient(cl, alice);
    const closed = new Promise((resolve) => a.client.on('state', (s) => s.state === 'closed' && resolve(s.closed)));
    await cl.http.logout(a.client.currentSession.token);
    const reason = (await closed) as { reason: string; code: number };
    assert.equal(reason.reason, 'revoked');
    assert.equal(reason.code, 4003);
    assert.equal(a.retries, 0);

    const other = await newUser(cl, 'carol');
    const c = new ImClient({ url: cl.gatewayUrl, session: other.session });
    const rc = record(c);
    await c.connect();
    await c.ready();
    await c.logout();
    assert.equal(c.state, 'closed');
    assert.equal(rc.states.at(-1)!.state, 'closed');
    await assert.rejects(cl.http.refresh(other.session.refresh_token));
  });
});
