import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startCluster, type Cluster } from '../cluster.js';
import {
  acceptFriend,
  conversationRow,
  goTo,
  launchChromium,
  message,
  messageAction,
  openApp,
  openChat,
  requestFriend,
  send,
  shownTexts,
  signUp,
  uniqueName,
  type AppPage,
} from './browser.js';

// Two people in two browser contexts of a real Chromium, through the real cluster: sign
// up, befriend, and chat both ways with replies, reactions, edits, revokes, typing and
// read receipts.
describe('web client: two people chat', () => {
  let cluster: Cluster;
  let browser: Browser;
  let alice: AppPage;
  let bob: AppPage;
  const aliceUser = uniqueName('alice');
  const bobUser = uniqueName('bob');

  before(async () => {
    cluster = await startCluster();
    browser = await launchChromium();
    [alice, bob] = await Promise.all([openApp(browser, cluster.gatewayUrl), openApp(browser, cluster.gatewayUrl)]);
  });

  after(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  test('both sign up in the browser and become friends', async () => {
    await signUp(alice.page, aliceUser, 'Alice');
    await signUp(bob.page, bobUser, 'Bob');
    await requestFriend(alice.page, bobUser, 'Bob');
    await bob.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Friends.*1 new/ }).waitFor();
    await acceptFriend(bob.page, 'Alice');
    // The acceptance reaches Alice as a notice: Bob is a friend and a conversation is there.
    await alice.page.getByRole('region', { name: 'Friends list' }).getByText('Bob').waitFor();
    await goTo(alice.page, 'Chats');
    await conversationRow(alice.page, 'Bob').waitFor();
  });

  test('Alice writes; Bob sees it unread in his list, opens it, and Alice sees it read', async () => {
    await openChat(alice.page, 'Bob');
    await alice.page.locator('.chat-sub', { hasText: 'online' }).waitFor();
    await send(alice.page, 'Hello Bob!');
    await message(alice.page, 'Hello Bob!').getByRole('img', { name: 'Sent' }).waitFor();

    await goTo(bob.page, 'Chats');
    const row = conversationRow(bob.page, 'Alice');
    await row.getByLabel('1 unread').waitFor();
    await row.getByText('Hello Bob!').waitFor();
    await openChat(bob.page, 'Alice');
    await message(bob.page, 'Hello Bob!').waitFor();
    await row.getByLabel('1 unread').waitFor({ state: 'detached' });
    await message(alice.page, 'Hello Bob!').getByRole('img', { name: 'Read' }).waitFor();
  });

  test('typing shows on the other side; Bob replies to the message', async () => {
    await bob.page.getByLabel('Message', { exact: true }).pressSequentially('Hi');
    await alice.page.locator('.chat-sub', { hasText: 'typing…' }).waitFor();
    await bob.page.getByLabel('Message', { exact: true }).fill('');
    await messageAction(bob.page, 'Hello Bob!', 'Reply');
    await bob.page.getByText('Replying to Alice').waitFor();
    await send(bob.page, 'Hi Alice, good to see you');
    const reply = message(alice.page, 'Hi Alice, good to see you');
    await reply.locator('.quote', { hasText: 'Hello Bob!' }).waitFor();
    // Typing ends when the message arrives.
    await alice.page.locator('.chat-sub', { hasText: 'online' }).waitFor();
  });

  test('a reaction shows on both sides and can be taken back', async () => {
    await messageAction(alice.page, 'Hi Alice, good to see you', 'React 👍');
    const chip = (p: AppPage) => message(p.page, 'Hi Alice, good to see you').getByRole('button', { name: '👍 1' });
    await chip(alice).waitFor();
    await chip(bob).waitFor();
    assert.equal(await chip(alice).getAttribute('aria-pressed'), 'true');
    assert.equal(await chip(bob).getAttribute('aria-pressed'), 'false');
    await chip(bob).click(); // Bob adds his own
    await message(alice.page, 'Hi Alice, good to see you').getByRole('button', { name: '👍 2' }).waitFor();
    await message(alice.page, 'Hi Alice, good to see you').getByRole('button', { name: '👍 2' }).click(); // Alice takes hers back
    await message(bob.page, 'Hi Alice, good to see you').getByRole('button', { name: '👍 1' }).waitFor();
    assert.equal(await chip(bob).getAttribute('aria-pressed'), 'true');
  });

  test('an edit replaces the text on both sides, with the arrow-up shortcut too', async () => {
    await messageAction(bob.page, 'Hi Alice, good to see you', 'Edit');
    await bob.page.getByText('Editing message').waitFor();
    const box = bob.page.getByLabel('Message', { exact: true });
    await box.fill('Hi Alice, great to see you');
    await box.press('Enter');
    const edited = message(alice.page, 'Hi Alice, great to see you');
    await edited.getByText('edited').waitFor();
    await message(alice.page, 'Hi Alice, good to see you').waitFor({ state: 'detached' });

    await send(alice.page, 'Lunch at noon?');
    await message(alice.page, 'Lunch at noon?').getByRole('img', { name: /Sent|Read/ }).waitFor();
    await alice.page.getByLabel('Message', { exact: true }).press('ArrowUp');
    await alice.page.getByText('Editing message').waitFor();
    await alice.page.getByLabel('Message', { exact: true }).fill('Lunch at one?');
    await alice.page.getByLabel('Message', { exact: true }).press('Enter');
    await message(bob.page, 'Lunch at one?').getByText('edited').waitFor();
  });

  test('Escape leaves reply mode and closes dialogs', async () => {
    await messageAction(alice.page, 'Lunch at one?', 'Reply');
    await alice.page.getByText('Replying to Alice').waitFor();
    await alice.page.getByLabel('Message', { exact: true }).press('Escape');
    await alice.page.getByText('Replying to Alice').waitFor({ state: 'detached' });
    const m = message(alice.page, 'Lunch at one?');
    await m.hover();
    await m.getByRole('button', { name: 'Message actions' }).click();
    await alice.page.getByRole('dialog', { name: 'Message' }).waitFor();
    await alice.page.keyboard.press('Escape');
    await alice.page.getByRole('dialog', { name: 'Message' }).waitFor({ state: 'detached' });
  });

  test('a revoke empties the message on both sides', async () => {
    await send(alice.page, 'oops, wrong chat');
    await message(bob.page, 'oops, wrong chat').waitFor();
    await messageAction(alice.page, 'oops, wrong chat', 'Revoke');
    await bob.page.getByText('This message was revoked').waitFor();
    await alice.page.getByText('You revoked a message').waitFor();
    await message(bob.page, 'oops, wrong chat').waitFor({ state: 'detached' });
  });

  test('both sides show the same conversation, once each, in order', async () => {
    const expected = ['Hello Bob!', 'Hi Alice, great to see you', 'Lunch at one?'];
    assert.deepEqual(await shownTexts(alice.page), expected);
    assert.deepEqual(await shownTexts(bob.page), expected);
    assert.deepEqual(alice.problems, []);
    assert.deepEqual(bob.problems, []);
  });
});
