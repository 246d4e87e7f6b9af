import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { ImEvent, ImSocket } from '@im/client';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from '../cluster.js';
import { conversationRow, goTo, launchChromium, message, messageAction, messages, openApp, openChat, send, shownTexts, signIn, until, type AppPage } from './browser.js';

// One person in the browser, the others through the SDK: history scrolled back, file
// messages, forwards, mentions, friends (remark, block, unblock) and groups (create,
// roles, remove, add, transfer, leave, dissolve), each checked against the server.
describe('web client: history, files, forwards, friends and groups', () => {
  let cluster: Cluster;
  let browser: Browser;
  let app: AppPage;
  let page: Page;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let sa: ImSocket;
  let sb: ImSocket;
  let sc: ImSocket;
  let dm: string;
  const bobEvents: ImEvent[] = [];
  const HISTORY = 130;

  before(async () => {
    cluster = await startCluster({ gatewayEnv: { EVENT_RATE: '0' } });
    browser = await launchChromium();
    [alice, bob, carol] = [await newUser(cluster, 'alice'), await newUser(cluster, 'bob'), await newUser(cluster, 'carol')];
    [sa, sb, sc] = [await alice.connect(), await bob.connect(), await carol.connect()];
    dm = await befriend(sb, sa, alice.userId);
    await befriend(sc, sa, alice.userId);
    await sa.request('update_profile', { nickname: 'Alice' });
    await sb.request('update_profile', { nickname: 'Bob' });
    await sc.request('update_profile', { nickname: 'Carol' });
    for (let i = 1; i <= HISTORY; i++) await sb.sendText(dm, `m${i}`);
    sb.on('event', (e) => bobEvents.push(e as ImEvent));
    app = await openApp(browser, cluster.gatewayUrl);
    page = app.page;
    await signIn(page, alice.username, alice.password);
  });

  after(async () => {
    await Promise.all([sa, sb, sc].map((s) => s?.close()));
    await browser?.close();
    await cluster?.stop();
  });

  const bobGot = async (pred: (e: ImEvent) => boolean): Promise<ImEvent> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const found = bobEvents.find(pred);
      if (found) return found;
      if (Date.now() > deadline) throw new Error('Bob did not receive the event');
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  test('history scrolls back with sync before_seq to the first message, each once', async () => {
    await conversationRow(page, 'Bob').getByLabel(`${HISTORY} unread`).waitFor();
    await openChat(page, 'Bob');
    await message(page, `m${HISTORY}`).waitFor();
    const older = page.getByRole('button', { name: 'Load earlier messages' });
    const start = page.getByText('This is the start of the conversation.');
    while (!(await start.isVisible())) {
      const before = await messages(page).count();
      await page.locator('.messages').evaluate((el) => el.scrollTo(0, 0));
      if (await older.isVisible()) await older.click().catch(() => undefined);
      await until('earlier messages shown', async () => (await messages(page).count()) > before || (await page.locator('.chat-start').count()) > 0);
    }
    assert.deepEqual(await shownTexts(page), Array.from({ length: HISTORY }, (_, i) => `m${i + 1}`));
    await message(page, 'm1').waitFor();
  });

  test('a file message from a link reaches the other side with its tags', async () => {
    await page.getByRole('button', { name: 'Send a file' }).click();
    const d = page.getByRole('dialog', { name: 'Send a file' });
    await d.getByRole('tab', { name: 'A link' }).click();
    await d.getByLabel('Link to the file').fill('https://files.example.com/report.pdf');
    await d.getByLabel('File name').fill('report.pdf');
    await d.getByLabel('Size in bytes').fill('2048');
    await d.getByLabel('Type').fill('application/pdf');
    await d.getByLabel('Caption').fill('the report');
    await d.getByRole('button', { name: 'Send file' }).click();
    const got = await bobGot((e) => e.kind === 3);
    assert.deepEqual(got.tags, [
      ['url', 'https://files.example.com/report.pdf'],
      ['m', 'application/pdf'],
      ['size', '2048'],
      ['name', 'report.pdf'],
    ]);
    assert.equal(got.content, 'the report');
    const card = messages(page).filter({ hasText: 'report.pdf' });
    await card.getByText('2.0 KB · application/pdf').waitFor();
    assert.equal(await card.getByRole('link', { name: 'Open' }).getAttribute('href'), 'https://files.example.com/report.pdf');
  });

  test('a group: created with two friends, a message forwarded into it, a mention', async () => {
    await goTo(page, 'Groups');
    await page.getByRole('button', { name: 'New group' }).click();
    const d = page.getByRole('dialog', { name: 'New group' });
    await d.getByLabel('Group name').fill('Trip');
    await d.getByLabel('Bob').check();
    await d.getByLabel('Carol').check();
    await d.getByRole('button', { name: 'Create group' }).click();
    await page.getByRole('heading', { name: 'Trip' }).waitFor();
    await page.getByRole('region', { name: 'Members' }).getByText('3', { exact: false }).first().waitFor();
    const groups = await sb.request('get_groups');
    assert.deepEqual(groups.groups.map((g) => g.name), ['Trip']);

    await openChat(page, 'Bob');
    await messageAction(page, 'm130', 'Forward');
    const f = page.getByRole('dialog', { name: 'Forward to' });
    await f.getByLabel('Trip').check();
    await f.getByLabel('Comment').fill('look at this');
    await f.getByRole('button', { name: 'Forward' }).click();
    const fwd = await bobGot((e) => e.kind === 13);
    assert.ok(fwd.tags.some((t) => t[0] === 'src' && t[5] === 'm130'));
    await openChat(page, 'Trip');
    await page.locator('.forwarded', { hasText: 'Forwarded from Bob' }).getByText('m130').waitFor();

    const box = page.getByLabel('Message', { exact: true });
    await box.pressSequentially('@Bo');
    await page.getByRole('listbox', { name: 'Mention a member' }).getByRole('option', { name: '@Bob' }).waitFor();
    // Frames late, as for a page in the background: typing goes on after the name is picked,
    // before the next frame, and must stay after the name.
    await page.evaluate('window.framesOnTime = window.requestAnimationFrame; window.requestAnimationFrame = (cb) => setTimeout(() => cb(performance.now()), 60)');
    try {
      await box.press('Enter');
      assert.equal(await box.inputValue(), '@Bob ');
      await box.pressSequentially('see you at 9', { delay: 15 });
      await page.waitForTimeout(100);
      assert.equal(await box.inputValue(), '@Bob see you at 9');
    } finally {
      await page.evaluate('window.requestAnimationFrame = window.framesOnTime');
    }
    await box.press('Enter');
    const mention = await bobGot((e) => e.content === '@Bob see you at 9');
    assert.deepEqual(mention.tags, [['mention', bob.userId]]);
    await message(page, '@Bob see you at 9').locator('.mention', { hasText: '@Bob' }).waitFor();
  });

  test('group roles: make an admin, remove and add a member, transfer, leave', async () => {
    await page.getByRole('button', { name: 'Group info' }).click();
    const members = page.getByRole('region', { name: 'Members' });
    const groupId = (await sb.request('get_groups')).groups[0]!.group_id;
    const roleOf = async (userId: string) => (await sb.request('get_group_members', { group_id: groupId })).members.find((m) => m.user_id === userId)?.role;

    await members.getByRole('button', { name: 'Manage Bob' }).click();
    await page.getByRole('dialog', { name: 'Bob' }).getByRole('button', { name: 'Make admin' }).click();
    await members.locator('.person', { hasText: 'Bob' }).locator('.pill', { hasText: 'Admin' }).waitFor();
    assert.equal(await roleOf(bob.userId), 'admin');

    await members.getByRole('button', { name: 'Manage Carol' }).click();
    await page.getByRole('dialog', { name: 'Carol' }).getByRole('button', { name: 'Remove from group' }).click();
    await members.getByText('Carol').waitFor({ state: 'detached' });
    assert.equal(await roleOf(carol.userId), undefined);

    await page.getByRole('button', { name: 'Add members' }).click();
    const add = page.getByRole('dialog', { name: 'Add to Trip' });
    await add.getByLabel('Carol').check();
    await add.getByRole('button', { name: 'Add', exact: true }).click();
    await members.getByText('Carol').waitFor();
    assert.equal(await roleOf(carol.userId), 'member');

    await members.getByRole('button', { name: 'Manage Bob' }).click();
    await page.getByRole('dialog', { name: 'Bob' }).getByRole('button', { name: 'Make owner' }).click();
    await members.locator('.person', { hasText: 'Bob' }).locator('.pill', { hasText: 'Owner' }).waitFor();
    assert.equal(await roleOf(bob.userId), 'owner');
    assert.equal(await roleOf(alice.userId), 'member');

    await page.getByRole('button', { name: 'Leave group' }).click();
    await page.getByRole('dialog', { name: 'Leave Trip?' }).getByRole('button', { name: 'Leave' }).click();
    await page.getByRole('list', { name: 'Groups' }).getByText('Trip').waitFor({ state: 'detached' });
    assert.equal(await roleOf(alice.userId), undefined);
  });

  test('dissolving a group makes its chat read-only', async () => {
    await page.getByRole('button', { name: 'New group' }).click();
    const d = page.getByRole('dialog', { name: 'New group' });
    await d.getByLabel('Group name').fill('Short-lived');
    await d.getByLabel('Bob').check();
    await d.getByRole('button', { name: 'Create group' }).click();
    await page.getByRole('button', { name: 'Dissolve group' }).click();
    await page.getByRole('dialog', { name: 'Dissolve Short-lived?' }).getByRole('button', { name: 'Dissolve' }).click();
    await page.locator('.profile-card', { hasText: 'dissolved' }).waitFor();
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByText('This group was dissolved: it is read-only now.').waitFor();
    assert.equal(await page.getByLabel('Message', { exact: true }).count(), 0);
  });

  test('friends: a remark renames a friend everywhere; block and unblock', async () => {
    await goTo(page, 'Friends');
    await page.getByRole('region', { name: 'Friends list' }).getByText('Bob').click();
    await page.getByRole('button', { name: 'Remark' }).click();
    await page.getByRole('dialog', { name: 'Remark' }).getByRole('textbox').fill('Bobby');
    await page.getByRole('dialog', { name: 'Remark' }).getByRole('button', { name: 'Save' }).click();
    await page.getByRole('region', { name: 'Friends list' }).getByText('Bobby').waitFor();
    await goTo(page, 'Chats');
    await conversationRow(page, 'Bobby').waitFor();

    await goTo(page, 'Friends');
    await page.getByRole('region', { name: 'Friends list' }).getByText('Carol').click();
    await page.getByRole('button', { name: 'Block Carol' }).click();
    await page.getByRole('dialog', { name: 'Block Carol?' }).getByRole('button', { name: 'Block' }).click();
    await page.getByRole('region', { name: 'Blocked' }).getByText('Carol').waitFor();
    assert.deepEqual((await sa.request('get_blocked')).user_ids, [carol.userId]);
    await page.getByRole('region', { name: 'Friends list' }).getByText('Carol').waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'Unblock Carol' }).first().click();
    await page.getByRole('region', { name: 'Blocked' }).waitFor({ state: 'detached' });
    assert.deepEqual((await sa.request('get_blocked')).user_ids, []);

    // Search and a request from the Friends screen; the request is answered through the SDK.
    const dave = await newUser(cluster, 'dave');
    const sd = await dave.connect();
    await sd.request('update_profile', { nickname: 'Dave' });
    await page.getByLabel('Find people').fill(dave.username);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('button', { name: 'Add Dave' }).click();
    await page.getByRole('dialog', { name: 'Add Dave' }).getByRole('button', { name: 'Send request' }).click();
    await page.getByRole('region', { name: 'Sent requests' }).getByText('Dave').waitFor();
    const [req] = (await sd.request('get_friend_requests', { direction: 'incoming' })).requests;
    await sd.request('reject_friend_request', { request_id: req!.request_id });
    await sd.close();
    assert.deepEqual(app.problems, []);
  });
});
