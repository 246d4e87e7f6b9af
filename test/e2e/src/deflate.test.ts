import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { encode } from '@im/codec';
import { newUser, startCluster, type Cluster, type TestUser } from './cluster.js';

/** permessage-deflate, when configured: negotiated, and the frame limit counts decompressed bytes. */
describe('permessage-deflate', () => {
  let cluster: Cluster;
  let alice: TestUser;

  before(async () => {
    cluster = await startCluster({ gatewayEnv: { PERMESSAGE_DEFLATE: 'true' } });
    alice = await newUser(cluster, 'alice');
  });

  after(async () => {
    await cluster?.stop();
  });

  test('is negotiated when the gateway enables it, and frames work over it', async () => {
    const s = await alice.connect();
    assert.match(s.ws.extensions, /permessage-deflate/);
    assert.ok((await s.request('ping')).ts > 0);
    s.terminate();
  });

  test('a frame that inflates past max_frame_bytes closes with 1009', async () => {
    const s = await alice.connect();
    // Compresses to a few hundred bytes; decompressed it is over 64 KiB.
    s.sendRaw(encode({ cmd: 'ping', data: 'x'.repeat(70_000) }));
    assert.equal((await s.closed).code, 1009);
  });
});
