import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { befriend, newUser, startCluster, type Cluster } from '../cluster.js';
import { launchChromium, message, messages, openApp, openChat, send, shownTexts, signIn, UI_TIMEOUT, type AppPage } from './browser.js';

// The gateway dies mid-chat (SIGKILL) and comes back: the banner shows on both sides,
// messages typed during the outage wait in the outbox, the clients reconnect by
// themselves, and every message arrives once, in order.
describe('web client: a gateway restart mid-chat loses nothing', () => {
  let cluster: Cluster;
  let browser: Browser;
  let alice: AppPage;
  let bob: AppPage;

  before(async () => {
    cluster = await startCluster();
    browser = await launchChromium();
    const [a, b] = [await newUser(cluster, 'alice'), await newUser(cluster, 'bob')];
    const [sa, sb] = [await a.connect(), await b.connect()];
    await befriend(sa, sb, b.userId);
    await Promise.all([sa.request('update_profile', { nickname: 'Alice' }), sb.request('update_profile', { nickname: 'Bob' })]);
    await Promise.all([sa.close(), sb.close()]);
    [alice, bob] = await Promise.all([openApp(browser, cluster.gatewayUrl), openApp(browser, cluster.gatewayUrl)]);
    await signIn(alice.page, a.username, a.password);
    await signIn(bob.page, b.username, b.password);
    await openChat(alice.page, 'Bob');
    await openChat(bob.page, 'Alice');
  });

  after(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  test('messages sent before, during and after the outage arrive once and in order', async () => {
    for (const t of ['one', 'two']) await send(alice.page, t);
    await message(bob.page, 'two').waitFor();

    await cluster.gateway.stop('SIGKILL');
    const banner = (p: AppPage) => p.page.getByRole('status').filter({ hasText: 'Reconnecting' });
    await banner(alice).waitFor();
    await banner(bob).waitFor();

    // Sent while the gateway is down: shown as sending, kept in the outbox.
    for (const t of ['three', 'four']) await send(alice.page, t);
    await send(bob.page, 'five (from Bob, offline)');
    await messages(alice.page).filter({ hasText: 'four' }).getByRole('img', { name: 'Sending' }).waitFor();

    await cluster.restartGateway(0);
    // Both reconnect by themselves (backoff up to 30 s), then the outboxes drain.
    await banner(alice).waitFor({ state: 'detached', timeout: 60_000 });
    await banner(bob).waitFor({ state: 'detached', timeout: 60_000 });
    await message(bob.page, 'four').waitFor({ timeout: UI_TIMEOUT });
    await message(alice.page, 'five (from Bob, offline)').waitFor();

    await send(bob.page, 'six');
    await send(alice.page, 'seven');
    await message(alice.page, 'six').waitFor();
    await message(bob.page, 'seven').waitFor();
    await messages(alice.page).getByRole('img', { name: 'Sending' }).first().waitFor({ state: 'detached' });

    const alices = await shownTexts(alice.page);
    const bobs = await shownTexts(bob.page);
    assert.deepEqual(alices, bobs, 'both see the same conversation');
    // Alice's own messages in her order, each once; Bob's likewise.
    assert.deepEqual(alices.filter((t) => ['one', 'two', 'three', 'four', 'seven'].includes(t)), ['one', 'two', 'three', 'four', 'seven']);
    assert.deepEqual(alices.filter((t) => t.startsWith('five') || t === 'six'), ['five (from Bob, offline)', 'six']);
    assert.equal(alices.length, 7);
    assert.deepEqual([...alice.problems, ...bob.problems], []);
  });
});
