import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { ImSocket } from '@im/client';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from '../cluster.js';
import { goTo, launchChromium, openApp, signIn, type AppPage } from './browser.js';

// The friends' timeline in the browser: a friend's moment shows, is liked and commented
// on; one's own moment is posted, liked by a friend (a notice), and deleted.
describe('web client: moments', () => {
  let cluster: Cluster;
  let browser: Browser;
  let app: AppPage;
  let page: Page;
  let alice: TestUser;
  let bob: TestUser;
  let sb: ImSocket;

  before(async () => {
    cluster = await startCluster();
    browser = await launchChromium();
    [alice, bob] = [await newUser(cluster, 'alice'), await newUser(cluster, 'bob')];
    const sa = await alice.connect();
    sb = await bob.connect();
    await befriend(sb, sa, alice.userId);
    await sa.request('update_profile', { nickname: 'Alice' });
    await sb.request('update_profile', { nickname: 'Bob' });
    await sa.close();
    await sb.request('post_moment', { content: 'Sunrise from the ridge <img src=x onerror="window.__xss=1">', visibility: 'friends' });
    app = await openApp(browser, cluster.gatewayUrl);
    page = app.page;
    await signIn(page, alice.username, alice.password);
  });

  after(async () => {
    await sb?.close();
    await browser?.close();
    await cluster?.stop();
  });

  const card = (text: string) => page.locator('[data-testid="moment"]', { hasText: text });
  const bobsView = async () => (await sb.request('get_timeline', {})).moments;

  test("a friend's moment shows as text; like and comment reach the server", async () => {
    await goTo(page, 'Moments');
    const m = card('Sunrise from the ridge');
    await m.getByText('Sunrise from the ridge <img src=x onerror="window.__xss=1">', { exact: true }).waitFor();
    assert.equal(await page.locator('img[src="x"]').count(), 0);

    await m.getByRole('button', { name: 'Like' }).click();
    await m.getByRole('button', { name: 'Liked' }).waitFor();
    assert.deepEqual((await bobsView())[0]!.likes, [alice.userId]);

    await m.getByLabel("Comment on Bob's moment").fill('Beautiful!');
    await m.getByLabel("Comment on Bob's moment").press('Enter');
    await m.getByRole('list', { name: 'Comments' }).getByText('Beautiful!').waitFor();
    assert.deepEqual((await bobsView())[0]!.comments.map((c) => [c.user_id, c.content]), [[alice.userId, 'Beautiful!']]);

    await m.getByRole('button', { name: 'Liked' }).click();
    await m.getByRole('button', { name: 'Like', exact: true }).waitFor();
    assert.deepEqual((await bobsView())[0]!.likes, []);
  });

  test('posting a moment; a friend likes it (a notice), then it is deleted', async () => {
    await page.getByLabel("What's new?").fill('New bike day 🚲');
    await page.getByRole('button', { name: 'Post' }).click();
    await card('New bike day').waitFor();
    const posted = (await bobsView()).find((m) => m.content === 'New bike day 🚲');
    assert.ok(posted, "Bob's timeline has it");

    await goTo(page, 'Chats');
    await sb.request('like_moment', { moment_id: posted.moment_id });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Moments.*1 new/ }).click();
    await card('New bike day').getByText('♥ Bob').waitFor();

    await card('New bike day').getByRole('button', { name: 'Delete moment' }).click();
    await card('New bike day').waitFor({ state: 'detached' });
    assert.equal((await bobsView()).some((m) => m.moment_id === posted.moment_id), false);
    assert.equal(await page.evaluate(() => (globalThis as { __xss?: number }).__xss), undefined);
    assert.deepEqual(app.problems, []);
  });
});
