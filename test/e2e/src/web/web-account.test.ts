import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { befriend, newUser, startCluster, type Cluster } from '../cluster.js';
import { codeOf, waitForMail } from '../mail.js';
import { conversationRow, launchChromium, message, openApp, send, signedIn, signIn, uniqueName, type AppPage } from './browser.js';

// Signing in with a mailed code, staying signed in across a reload, logging out, and the
// whole client on a phone-sized screen.
describe('web client: email code, log out, phone screen', () => {
  let cluster: Cluster;
  let browser: Browser;
  const mailDir = fs.mkdtempSync(path.join(os.tmpdir(), 'im-web-mail-'));

  before(async () => {
    cluster = await startCluster({ seakingEnv: { MAILER_DIR: mailDir } });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await cluster?.stop();
    fs.rmSync(mailDir, { recursive: true, force: true });
  });

  test('sign in with an emailed code, stay signed in after a reload, log out', async () => {
    const app = await openApp(browser, cluster.gatewayUrl);
    const email = `${uniqueName('code')}@example.com`;
    await app.page.getByRole('tab', { name: 'Email code' }).click();
    await app.page.getByLabel('Email').fill(email);
    const asked = Date.now();
    await app.page.getByRole('button', { name: 'Send code' }).click();
    await app.page.getByText(`We sent a 6-digit code to ${email}.`).waitFor();
    const code = codeOf(await waitForMail(mailDir, email, asked - 1000));
    await app.page.getByLabel('Code').fill(code);
    await app.page.getByRole('button', { name: 'Sign in' }).click();
    await signedIn(app.page);

    await app.page.reload();
    await signedIn(app.page);

    await app.page.getByRole('button', { name: /^Profile:/ }).click();
    await app.page.getByRole('dialog', { name: 'Your profile' }).getByRole('button', { name: 'Log out' }).click();
    await app.page.getByRole('tab', { name: 'Sign in' }).waitFor();
    await app.page.reload();
    await app.page.getByRole('tab', { name: 'Sign in' }).waitFor();
    assert.deepEqual(app.problems, []);
    await app.context.close();
  });

  test('a wrong password says so and keeps the form', async () => {
    const user = await newUser(cluster, 'wrongpw');
    const app = await openApp(browser, cluster.gatewayUrl);
    await app.page.getByLabel('Username, email or phone').fill(user.username);
    await app.page.getByLabel('Password').fill('not the password');
    await app.page.getByRole('button', { name: 'Sign in' }).click();
    await app.page.getByRole('alert').waitFor();
    assert.equal(await app.page.getByLabel('Username, email or phone').inputValue(), user.username);
    await signIn(app.page, user.username, user.password);
    await app.context.close();
  });

  test('on a phone-sized screen one pane shows at a time, with a tab bar and a back button', async () => {
    const [a, b] = [await newUser(cluster, 'phone'), await newUser(cluster, 'friend')];
    const [sa, sb] = [await a.connect(), await b.connect()];
    const conv = await befriend(sa, sb, b.userId);
    await sb.request('update_profile', { nickname: 'Pat' });
    await sb.sendText(conv, 'are you on your phone?');
    const app: AppPage = await openApp(browser, cluster.gatewayUrl, { viewport: { width: 390, height: 844 }, mobile: true });
    const noSideScroll = () => app.page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth + 1');
    assert.ok(await noSideScroll(), 'the sign-in screen fits the width');
    await signIn(app.page, a.username, a.password);

    const nav = app.page.getByRole('navigation', { name: 'Main' });
    const box = (await nav.boundingBox())!;
    assert.ok(box.y + box.height >= 844 - 2 && box.width >= 380, 'the tabs are a bar along the bottom');
    await conversationRow(app.page, 'Pat').click();
    await message(app.page, 'are you on your phone?').waitFor();
    await nav.waitFor({ state: 'hidden' });
    assert.ok(!(await app.page.getByRole('list', { name: 'Conversations' }).isVisible()), 'the list hides while a chat is open');
    const composer = (await app.page.getByLabel('Message', { exact: true }).boundingBox())!;
    assert.ok(composer.y + composer.height <= 844 && composer.width > 250, 'the composer is on screen and wide');
    assert.ok(await noSideScroll(), 'the chat fits the width');
    const received = new Promise<void>((resolve) => sb.on('event', (e) => e.content === 'yes, on a phone' && resolve()));
    await send(app.page, 'yes, on a phone');
    await received;

    await app.page.getByRole('button', { name: 'Back' }).click();
    await conversationRow(app.page, 'Pat').waitFor();
    await nav.getByRole('link', { name: 'Friends' }).click();
    await app.page.getByRole('region', { name: 'Friends list' }).getByText('Pat').click();
    await app.page.getByRole('button', { name: 'Message' }).waitFor();
    assert.ok(await noSideScroll(), 'the contact screen fits the width');
    assert.deepEqual(app.problems, []);
    await sa.close();
    await sb.close();
    await app.context.close();
  });
});
