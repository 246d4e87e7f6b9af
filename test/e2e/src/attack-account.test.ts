import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ImSocket, type ImError } from '@im/client';
import { startCluster, type Cluster } from './cluster.js';
import { codeOf, waitForMail } from './mail.js';

/**
 * Account pre-hijacking: someone registers with another person's email and a password. When
 * the owner of the mailbox logs in by code, the account is theirs alone: every other session
 * is revoked and the squatter's password stops working.
 */
describe('attack: pre-hijacking an account through an unproven email', () => {
  let cluster: Cluster;
  const mailDir = fs.mkdtempSync(path.join(os.tmpdir(), 'im-mail-'));

  before(async () => {
    cluster = await startCluster({ seakingEnv: { MAILER_DIR: mailDir, LOGIN_CODE_INTERVAL: '0' } });
  });

  after(async () => {
    await cluster?.stop();
    fs.rmSync(mailDir, { recursive: true, force: true });
  });

  const codeLogin = async (email: string, device: string) => {
    const asked = Date.now();
    await cluster.http.requestCode(email);
    return cluster.http.loginWithCode({ email, code: codeOf(await waitForMail(mailDir, email, asked)), device_id: device });
  };

  test('the code login proves the address and takes the account from the squatter', async () => {
    const email = `owner${Date.now().toString(36)}@example.org`;
    const username = `squat${Date.now().toString(36)}`;
    await cluster.http.register({ username, password: 'squatter password', email });
    const squatter = await cluster.http.login({ username, password: 'squatter password', device_id: 'squatter-phone' });
    const squatterSocket = await ImSocket.connect(cluster.http.wsUrl(), squatter.token);

    const owner = await codeLogin(email, 'owner-laptop');
    assert.equal(owner.user.user_id, squatter.user.user_id);
    assert.equal((await squatterSocket.closed).code, 4003);
    await assert.rejects(cluster.http.login({ username, password: 'squatter password' }), (e: ImError) => e.status === 401);
    await assert.rejects(cluster.http.login({ email, password: 'squatter password' }), (e: ImError) => e.status === 401);
    await assert.rejects(cluster.http.refresh(squatter.refresh_token), (e: ImError) => e.status === 401);
    await assert.rejects(ImSocket.connect(cluster.http.wsUrl(), squatter.token), (e: ImError) => e.status === 401);
    const mine = await ImSocket.connect(cluster.http.wsUrl(), owner.token);
    assert.ok((await mine.request('ping')).ts > 0);

    // Once proven, a later code login is an ordinary login: the owner's other devices stay.
    const again = await codeLogin(email, 'owner-phone');
    assert.equal(again.user.user_id, owner.user.user_id);
    assert.ok((await mine.request('ping')).ts > 0);
    mine.terminate();
  });

  test('an address first seen at a code login is proven from the start', async () => {
    const email = `fresh${Date.now().toString(36)}@example.org`;
    const first = await codeLogin(email, 'd1');
    const s = await ImSocket.connect(cluster.http.wsUrl(), first.token);
    const second = await codeLogin(email, 'd2');
    assert.equal(second.user.user_id, first.user.user_id);
    assert.ok((await s.request('ping')).ts > 0);
    s.terminate();
  });
});
