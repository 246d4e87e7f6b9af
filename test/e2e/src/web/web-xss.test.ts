import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { ImClient } from '@im/client';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from '../cluster.js';
import { conversationRow, goTo, launchChromium, message, openApp, openChat, signIn, type AppPage } from './browser.js';

// Everything people type reaches the page as text: markup in messages, nicknames, group
// names, remarks and links shows literally and never runs.
const IMG = '<img src=x onerror="window.__xss=(window.__xss||0)+1">';
const SCRIPT = '<script>window.__xss=(window.__xss||0)+1</script>';
const SVG = '<svg onload="window.__xss=(window.__xss||0)+1"></svg>';
const GROUP = '<img src=x onerror=alert(1)> crew';

describe('web client: no markup from users ever runs', () => {
  let cluster: Cluster;
  let browser: Browser;
  let alice: TestUser;
  let mallory: TestUser;
  let client: ImClient;
  let view: AppPage;
  let dm: string;
  let groupConv: string;

  before(async () => {
    cluster = await startCluster();
    browser = await launchChromium();
    alice = await newUser(cluster, 'alice');
    mallory = await newUser(cluster, 'mallory');
    const [sa, sm] = [await alice.connect(), await mallory.connect()];
    dm = await befriend(sm, sa, alice.userId);
    await sm.request('update_profile', { nickname: IMG });
    await sa.request('update_profile', { nickname: 'Alice' });
    await sa.close();
    await sm.close();
    client = new ImClient({ url: cluster.gatewayUrl, session: mallory.session });
    await client.connect();
    await client.ready();
    groupConv = (await client.createGroup(GROUP, [alice.userId])).conversation_id;
    view = await openApp(browser, cluster.gatewayUrl);
    await signIn(view.page, alice.username, alice.password);
  });

  after(async () => {
    await client?.close();
    await browser?.close();
    await cluster?.stop();
  });

  const noScriptRan = async () => {
    assert.equal(await view.page.evaluate(() => (globalThis as { __xss?: number }).__xss), undefined, 'no injected handler ran');
    assert.equal(await view.page.locator('img[src="x"], svg[onload], script:not([src])').count(), 0, 'no injected element exists');
    assert.deepEqual(view.problems, [], 'no alert and no page error');
  };

  test('the check can fail: the same markup put into a page as HTML does run', async () => {
    const probe = await view.context.newPage();
    await probe.setContent(`<body>${IMG}${SVG}</body>`);
    await probe.waitForFunction(() => (globalThis as { __xss?: number }).__xss === 2);
    await probe.close();
  });

  test('a nickname and a group name made of markup show as text in the list', async () => {
    await conversationRow(view.page, IMG).waitFor();
    await conversationRow(view.page, GROUP).waitFor();
    await noScriptRan();
  });

  test('messages made of markup show literally, in a chat and in a group', async () => {
    for (const text of [IMG, SCRIPT, SVG, '<b>not bold</b> &amp; <a href="javascript:alert(1)">link</a>']) await client.sendText(dm, text);
    await openChat(view.page, IMG);
    for (const text of [IMG, SCRIPT, SVG]) await message(view.page, text).waitFor();
    const shown = await message(view.page, '<b>not bold</b> &amp; <a href="javascript:alert(1)">link</a>').locator('p.text').textContent();
    assert.equal(shown, '<b>not bold</b> &amp; <a href="javascript:alert(1)">link</a>');
    assert.equal(await view.page.locator('.message-list b, .message-list a[href^="javascript"]').count(), 0);
    // The sender's name in the chat header and the list preview are text too.
    await view.page.locator('.chat-head h2').getByText(IMG, { exact: true }).waitFor();

    await client.sendText(groupConv, SCRIPT, { mentions: [alice.userId] });
    await openChat(view.page, GROUP);
    await message(view.page, SCRIPT).waitFor();
    await view.page.locator('.msg-sender', { hasText: IMG }).waitFor();
    await noScriptRan();
  });

  test('file links that are not http(s) never become links; file names are text', async () => {
    await client.sendFile(dm, { url: 'javascript:window.__xss=1', mime: 'image/png', size: 10, name: SCRIPT });
    await client.sendFile(dm, { url: 'data:text/html,<script>window.__xss=1</script>', mime: 'text/html', size: 10, name: 'page.html' });
    await goTo(view.page, 'Chats');
    await view.page.locator(`[data-conversation="${dm}"]`).click();
    await view.page.locator('.file-name', { hasText: SCRIPT }).waitFor();
    await view.page.locator('.file-name', { hasText: 'page.html' }).waitFor();
    assert.equal(await view.page.locator('a[href^="javascript"], a[href^="data:"], img[src^="javascript"], img[src^="data:"]').count(), 0);
    assert.equal(await view.page.getByText('link blocked').count(), 2);
    await noScriptRan();
  });

  test('a remark and a friend request message made of markup are text', async () => {
    await goTo(view.page, 'Friends');
    await view.page.getByRole('region', { name: 'Friends list' }).getByText(IMG, { exact: true }).click();
    await view.page.getByRole('button', { name: 'Remark' }).click();
    await view.page.getByRole('dialog', { name: 'Remark' }).getByRole('textbox').fill(SVG);
    await view.page.getByRole('dialog', { name: 'Remark' }).getByRole('button', { name: 'Save' }).click();
    await view.page.getByRole('region', { name: 'Friends list' }).getByText(SVG, { exact: true }).waitFor();

    const eve = await newUser(cluster, 'eve');
    const se = await eve.connect();
    await se.request('update_profile', { nickname: SCRIPT });
    await se.request('send_friend_request', { user_id: alice.userId, message: IMG });
    await view.page.getByRole('region', { name: 'Friend requests' }).getByText(IMG, { exact: true }).waitFor();
    await view.page.getByRole('region', { name: 'Friend requests' }).getByText(SCRIPT, { exact: true }).waitFor();
    await se.close();
    await noScriptRan();
  });
});
