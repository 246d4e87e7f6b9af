import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { ImSocket, Notice } from '@im/client';
import { befriend, newUser, startCluster, type Cluster, type TestUser } from '../cluster.js';
import { goTo, launchChromium, message, messageAction, messages, openApp, send, signedIn, signIn, type AppPage } from './browser.js';

/** Small enough that a too-large upload is quick to make. */
const MAX_FILE_BYTES = 64 * 1024;
/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

// Files, search, read-by, delete for me, pin and mute in two browser contexts (Alice and
// Bob), with their other devices and Carol on SDK sockets to set up and to check the server.
describe('web client: files, search, read-by, delete for me, pin and mute', () => {
  let cluster: Cluster;
  let browser: Browser;
  let alice: AppPage;
  let bob: AppPage;
  let ua: TestUser;
  let ub: TestUser;
  let uc: TestUser;
  let sa: ImSocket;
  let sb: ImSocket;
  let sc: ImSocket;
  let dm: string;
  let carolDm: string;
  let group: string;
  const aliceNotices: Notice[] = [];
  /** Every URL the pages asked for over HTTP: a file's token must never be in one. */
  const fileRequests: string[] = [];

  before(async () => {
    cluster = await startCluster({ gatewayEnv: { EVENT_RATE: '0', MAX_FILE_BYTES: String(MAX_FILE_BYTES) } });
    browser = await launchChromium();
    [ua, ub, uc] = [await newUser(cluster, 'alice'), await newUser(cluster, 'bob'), await newUser(cluster, 'carol')];
    [sa, sb, sc] = [await ua.connect(), await ub.connect(), await uc.connect()];
    await sa.request('update_profile', { nickname: 'Alice' });
    await sb.request('update_profile', { nickname: 'Bob' });
    await sc.request('update_profile', { nickname: 'Carol' });
    carolDm = await befriend(sc, sa, ua.userId);
    const trip = await sa.request('create_group', { name: 'Trip', member_ids: [ub.userId, uc.userId] });
    group = trip.group.conversation_id;
    dm = await befriend(sb, sa, ua.userId);
    sa.on('notice', (n) => aliceNotices.push(n as Notice));
    [alice, bob] = await Promise.all([openApp(browser, cluster.gatewayUrl), openApp(browser, cluster.gatewayUrl)]);
    for (const p of [alice, bob]) p.page.on('request', (r) => fileRequests.push(r.url()));
    await signIn(alice.page, ua.username, ua.password);
    await signIn(bob.page, ub.username, ub.password);
  });

  after(async () => {
    await Promise.all([sa, sb, sc].map((s) => s?.close()));
    await browser?.close();
    await cluster?.stop();
  });

  /** Polls the server (not the page) until the search index has caught up with `n` hits. */
  const indexed = async (s: ImSocket, query: string, n: number): Promise<void> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      let found = 0;
      let cursor: string | null = null;
      do {
        const res: { events: unknown[]; next_cursor: string | null } = await s.request('search_messages', { query, limit: 50, ...(cursor ? { cursor } : {}) });
        found += res.events.length;
        cursor = res.next_cursor;
      } while (cursor);
      if (found >= n) return;
      if (Date.now() > deadline) throw new Error(`the index has ${found} of ${n} hits for "${query}"`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const row = (page: Page, conversationId: string) => page.locator(`[aria-label="Conversations"] a[data-conversation="${conversationId}"]`);

  /** Opens a chat by its id (names also appear in other rows' previews, "Alice: …"). */
  const openChat = async (page: Page, conversationId: string, title: string) => {
    await goTo(page, 'Chats');
    await row(page, conversationId).click();
    await page.locator('.chat-head h2', { hasText: title }).waitFor();
  };

  const attach = async (page: Page, file: { name: string; mimeType: string; buffer: Buffer }, caption = '') => {
    await page.getByRole('button', { name: 'Send a file' }).click();
    const d = page.getByRole('dialog', { name: 'Send a file' });
    await d.getByLabel('File from this device').setInputFiles(file);
    if (caption) await d.getByLabel('Caption').fill(caption);
    await d.getByRole('button', { name: 'Upload and send' }).click();
    return d;
  };

  test('a file attached in the composer is uploaded; the receiver downloads the same bytes under its name', async () => {
    await openChat(alice.page, dm, 'Bob');
    const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
    const d = await attach(alice.page, { name: 'notes ü.bin', mimeType: 'application/x-notes', buffer: bytes }, 'the notes');
    await d.waitFor({ state: 'detached' });

    await openChat(bob.page, dm, 'Alice');
    const card = messages(bob.page).filter({ hasText: 'notes ü.bin' });
    await card.getByText('2.9 KB · application/x-notes').waitFor();
    await card.getByText('the notes').waitFor();
    const [download] = await Promise.all([bob.page.waitForEvent('download'), card.getByRole('button', { name: 'Download notes ü.bin' }).click()]);
    assert.equal(download.suggestedFilename(), 'notes ü.bin');
    assert.deepEqual(await fs.readFile(await download.path()), bytes);

    // The server has the event with the upload's tags.
    const { events } = await sb.request('sync', { conversation_id: dm, limit: 10 });
    const sent = events.find((e) => e.kind === 3)!;
    const tag = (name: string) => sent.tags.find((t) => t[0] === name)?.[1];
    assert.equal(tag('name'), 'notes ü.bin');
    assert.equal(tag('size'), '3000');
    assert.equal(tag('m'), 'application/x-notes');
    assert.match(tag('url') ?? '', /\/api\/files\/f[0-9a-z]+$/);
    assert.match(tag('x') ?? '', /^[0-9a-f]{64}$/);
  });

  test('forwarding a file sends the comment, then the file as a file event with its caption, which its new readers may download', async () => {
    const comment = sc.next<{ kind: number; conversation_id: string; content: string }>('event', (e) => (e as { conversation_id: string }).conversation_id === carolDm);
    const got = sc.next<{ kind: number; conversation_id: string; content: string; tags: string[][] }>(
      'event',
      (e) => (e as { conversation_id: string }).conversation_id === carolDm && (e as { kind: number }).kind !== 1,
    );
    const card = messages(alice.page).filter({ hasText: 'notes ü.bin' });
    await card.hover();
    await card.getByRole('button', { name: 'Message actions' }).click();
    await alice.page.getByRole('dialog', { name: 'Message' }).getByRole('button', { name: 'Forward', exact: true }).click();
    const f = alice.page.getByRole('dialog', { name: 'Forward to' });
    await f.getByLabel('Carol').check();
    await f.getByLabel('Comment').fill('from the meeting');
    await f.getByRole('button', { name: 'Forward' }).click();
    assert.deepEqual([(await comment).kind, (await comment).content], [1, 'from the meeting']);
    const event = await got;
    assert.equal(event.kind, 3);
    assert.equal(event.content, 'the notes');
    const url = event.tags.find((t) => t[0] === 'url')?.[1];
    assert.deepEqual(
      event.tags.filter((t) => t[0] !== 'url').map((t) => t[0]),
      ['m', 'size', 'name', 'x'],
    );
    const res = await fetch(url!, { headers: { authorization: `Bearer ${uc.session.token}` } });
    assert.deepEqual([res.status, (await res.arrayBuffer()).byteLength], [200, 3000]);
  });

  test('an image shows as a thumbnail from a blob, fetched with the token in a header only', async () => {
    const d = await attach(alice.page, { name: 'dot.png', mimeType: 'image/png', buffer: PNG });
    await d.waitFor({ state: 'detached' });
    const thumb = messages(bob.page).filter({ hasText: 'dot.png' }).locator('img.file-preview');
    await thumb.waitFor();
    // Decoded: the blob held the PNG (the page's CSP allows no string evaluation, so no waitForFunction).
    const width = await thumb.evaluate((el) => {
      const img = el as unknown as { complete: boolean; naturalWidth: number; decode(): Promise<void> };
      return (img.complete ? Promise.resolve() : img.decode()).then(() => img.naturalWidth);
    });
    assert.equal(width, 1);
    assert.match((await thumb.getAttribute('src')) ?? '', /^blob:/);
    assert.ok(fileRequests.some((u) => u.includes('/api/files')), 'the pages fetched files');
    assert.deepEqual(
      fileRequests.filter((u) => /[?&]token=/.test(u) && !u.includes('/ws')),
      [],
      'no HTTP request carried the token in its URL',
    );
  });

  test('an upload past the size limit is refused with a toast, and nothing is sent', async () => {
    const before = (await sb.request('sync', { conversation_id: dm, limit: 50 })).max_seq;
    const d = await attach(alice.page, { name: 'big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(MAX_FILE_BYTES + 1) });
    await alice.page.locator('.toast', { hasText: 'File not sent: files may hold at most 64 KB.' }).waitFor();
    await d.getByRole('button', { name: 'Upload and send' }).waitFor(); // still open, to pick another
    await alice.page.keyboard.press('Escape');
    await d.waitFor({ state: 'detached' });
    assert.equal((await sb.request('sync', { conversation_id: dm, limit: 50 })).max_seq, before);
  });

  test('search finds a message; opening a result loads history back to it; "More results" pages', async () => {
    await sa.sendText(dm, 'the ancient artefact is in the attic');
    for (let i = 1; i <= 60; i++) await sa.sendText(dm, `filler ${i} pagingword`);
    await indexed(sb, 'artefact', 1);
    await indexed(sb, 'pagingword', 60);

    // Bob looks from the conversation list (global search), after a reload: the page holds
    // only the newest messages, so opening the result must load older pages.
    await bob.page.reload();
    await signedIn(bob.page);
    await goTo(bob.page, 'Chats');
    await bob.page.getByLabel('Search messages').fill('artefact');
    await bob.page.getByLabel('Search messages').press('Enter');
    const results = bob.page.getByRole('list', { name: 'Search results' });
    const hit = results.getByRole('button').filter({ hasText: 'the ancient artefact is in the attic' });
    await hit.waitFor();
    await hit.getByText('Alice', { exact: true }).waitFor(); // the sender
    await hit.getByText('in Alice').waitFor(); // the conversation
    assert.equal(await hit.locator('mark').textContent(), 'artefact');
    await hit.click();
    // The message is 60 messages back: older pages are loaded until it shows.
    await bob.page.locator('.chat-head h2', { hasText: 'Alice' }).waitFor();
    await message(bob.page, 'the ancient artefact is in the attic').waitFor();

    // Paging with the cursor: 20, then 40, ... then all 60.
    await bob.page.getByLabel('Search messages').fill('pagingword');
    await bob.page.getByLabel('Search messages').press('Enter');
    // A page is added to the list in one render: once its last row shows, all of it does.
    const shown = async (n: number) => {
      await results.getByRole('listitem').nth(n - 1).waitFor();
      assert.equal(await results.getByRole('listitem').count(), n);
    };
    await shown(20);
    for (const n of [40, 60]) {
      await bob.page.getByRole('button', { name: 'More results' }).click();
      await shown(n);
    }
    await bob.page.getByRole('button', { name: 'More results' }).waitFor({ state: 'detached' });
    await bob.page.getByRole('button', { name: 'Clear search' }).click();
    await row(bob.page, dm).waitFor();
  });

  test('search within a conversation finds only its messages', async () => {
    await sa.sendText(group, 'pagingword in the group');
    await indexed(sb, 'pagingword in the group', 1);
    await openChat(bob.page, dm, 'Alice');
    await bob.page.getByRole('button', { name: 'Search in conversation' }).click();
    const d = bob.page.getByRole('dialog', { name: 'Search in Alice' });
    await d.getByLabel('Search in this conversation').fill('pagingword');
    await d.getByLabel('Search in this conversation').press('Enter');
    const rows = d.getByRole('list', { name: 'Search results' }).getByRole('button');
    await rows.first().waitFor();
    assert.equal(await rows.filter({ hasText: 'pagingword in the group' }).count(), 0);
    await rows.filter({ hasText: 'filler 60 pagingword' }).click();
    await d.waitFor({ state: 'detached' });
    await message(bob.page, 'filler 60 pagingword').waitFor();
  });

  test('read by: a group message of your own lists who read it and who did not', async () => {
    await openChat(alice.page, group, 'Trip');
    await send(alice.page, 'who has read this?');
    const mine = message(alice.page, 'who has read this?');
    await mine.getByRole('img', { name: 'Sent' }).waitFor();
    const seq = Number(await mine.getAttribute('data-seq'));
    await messageAction(alice.page, 'who has read this?', 'Read by');
    const d = alice.page.getByRole('dialog', { name: 'Read by' });
    const readers = d.getByRole('region', { name: 'Read by' });
    const pending = d.getByRole('region', { name: 'Not read yet' });
    await pending.getByText('Bob').waitFor();
    await pending.getByText('Carol').waitFor();

    await openChat(bob.page, group, 'Trip');
    await message(bob.page, 'who has read this?').waitFor();
    // The server has Bob's read (asked from his other device), so the dialog must show it.
    for (const deadline = Date.now() + 20_000; ; ) {
      const r = await sb.request('get_read_receipts', { conversation_id: group, seq });
      if (r.read.includes(ub.userId)) break;
      if (Date.now() > deadline) throw new Error('Bob never read the message');
      await new Promise((res) => setTimeout(res, 100));
    }
    await readers.getByText('Bob').waitFor();
    await pending.getByText('Carol').waitFor();
    assert.equal(await pending.getByText('Bob').count(), 0);
    assert.equal(await d.getByText('Alice', { exact: true }).count(), 0, 'the sender is not listed');
    await alice.page.keyboard.press('Escape');
    await d.waitFor({ state: 'detached' });
  });

  test('delete for me removes a message only for the one who hides it, on every device and after a reload', async () => {
    await openChat(alice.page, dm, 'Bob');
    await openChat(bob.page, dm, 'Alice');
    await send(bob.page, 'hide me please');
    await message(alice.page, 'hide me please').waitFor();
    await messageAction(alice.page, 'hide me please', 'Delete for me');
    await message(alice.page, 'hide me please').waitFor({ state: 'detached' });
    const { events } = await sb.request('sync', { conversation_id: dm, limit: 5 });
    const hidden = events.find((e) => e.content === 'hide me please')!;
    // Alice's other device was told; Bob still has it, on the page and on the server.
    for (const deadline = Date.now() + 20_000; !aliceNotices.some((n) => n.type === 'event_hidden' && n.event_id === hidden.id); ) {
      if (Date.now() > deadline) throw new Error('no event_hidden notice');
      await new Promise((res) => setTimeout(res, 50));
    }
    assert.equal((await sa.request('sync', { conversation_id: dm, limit: 5 })).events.some((e) => e.id === hidden.id), false);
    await message(bob.page, 'hide me please').waitFor();
    await alice.page.reload();
    await openChat(alice.page, dm, 'Bob');
    await message(alice.page, 'filler 60 pagingword').waitFor();
    assert.equal(await message(alice.page, 'hide me please').count(), 0);
  });

  test('pin puts a conversation first and survives a reload; mute marks it and quiets its badge', async () => {
    const rows = alice.page.getByRole('list', { name: 'Conversations' }).getByRole('link');
    await openChat(alice.page, carolDm, 'Carol'); // the oldest activity: last in the list
    assert.notEqual(await rows.first().getAttribute('data-conversation'), carolDm);
    await alice.page.getByRole('button', { name: 'Pin conversation' }).click();
    await alice.page.getByRole('button', { name: 'Unpin conversation' }).waitFor();
    await alice.page.locator(`[aria-label="Conversations"] > li:first-child > a[data-conversation="${carolDm}"]`).waitFor();
    await rows.first().getByRole('img', { name: 'Pinned' }).waitFor();
    await alice.page.getByRole('button', { name: 'Mute conversation' }).click();
    await rows.first().getByRole('img', { name: 'Muted' }).waitFor();

    await alice.page.reload();
    await goTo(alice.page, 'Chats');
    await row(alice.page, carolDm).getByRole('img', { name: 'Pinned' }).waitFor();
    assert.equal(await rows.first().getAttribute('data-conversation'), carolDm);
    await row(alice.page, carolDm).getByRole('img', { name: 'Muted' }).waitFor();
    const other = await sa.request('get_conversations', {});
    const carol = other.conversations.find((c) => c.conversation_id === carolDm)!;
    assert.equal(other.conversations[0]?.conversation_id, carolDm);
    assert.deepEqual([carol.pinned, carol.muted], [true, true]);
    assert.ok(aliceNotices.some((n) => n.type === 'conversation_prefs' && n.conversation_id === carolDm && n.pinned === true));

    // A message in the muted chat: a muted badge, not counted on the Chats tab.
    await goTo(alice.page, 'Friends');
    const chatsTab = alice.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Chats/ });
    const tabBadge = await chatsTab.locator('.badge').allTextContents();
    await sc.sendText(carolDm, 'are you there?');
    await goTo(alice.page, 'Chats');
    const badge = row(alice.page, carolDm).getByLabel('1 unread');
    await badge.waitFor();
    assert.match((await badge.getAttribute('class')) ?? '', /\bmuted\b/);
    assert.deepEqual(await chatsTab.locator('.badge').allTextContents(), tabBadge);

    // Unpinning puts it back by activity (the newest message is Carol's now, so still first).
    await openChat(alice.page, carolDm, 'Carol');
    await alice.page.getByRole('button', { name: 'Unpin conversation' }).click();
    await row(alice.page, carolDm).getByRole('img', { name: 'Pinned' }).waitFor({ state: 'detached' });
    assert.deepEqual(alice.problems, []);
    assert.deepEqual(bob.problems, []);
  });
});
