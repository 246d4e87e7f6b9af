// `make screenshots`: starts a cluster, fills it with a few people, chats and groups, and
// photographs the web client's main screens into docs/screenshots (committed, shown in
// the README). Not a test: it asserts nothing beyond the screens coming up.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import type { Page } from 'playwright-core';
import type { ImSocket } from '@im/client';
import { befriend, newUser, startCluster, type TestUser } from '../cluster.js';
import { conversationRow, goTo, launchChromium, message, openApp, openChat, signIn } from './browser.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const OUT = path.join(ROOT, 'docs', 'screenshots');

let n = 0;
function ev(s: ImSocket, conversation_id: string, kind: number, content: string, tags: string[][]) {
  return s.sendEvent({ conversation_id, kind, content, tags, cid: `shot-${++n}` });
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** A PNG of a sunrise gradient over a ridge, drawn here so the repository holds no photo. */
function sunrisePng(width: number, height: number): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const ridge = height * (0.62 + 0.12 * Math.sin(x / 37) + 0.05 * Math.sin(x / 11));
      const t = y / height;
      const [r, g, b] = y > ridge ? [40 + 20 * t, 60 + 30 * t, 70] : [250 - 120 * t, 170 - 60 * t, 90 + 120 * t];
      row.set([r, g, b].map((v) => Math.round(v)), 1 + x * 3);
    }
    rows.push(row);
  }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

async function main(): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  const cluster = await startCluster({ gatewayEnv: { EVENT_RATE: '0' } });
  const browser = await launchChromium();
  try {
    const people: Array<[TestUser, ImSocket, string]> = [];
    for (const nick of ['Alice Martin', 'Bob Chen', 'Carol Diaz', 'Dan Okafor', 'Eve Laurent']) {
      const u = await newUser(cluster, nick.split(' ')[0]!.toLowerCase());
      const s = await u.connect();
      await s.request('update_profile', { nickname: nick });
      people.push([u, s, nick]);
    }
    const [[alice, sa], [bob, sb], [, sc], [dan, sd], [, se]] = people as [[TestUser, ImSocket, string], [TestUser, ImSocket, string], [TestUser, ImSocket, string], [TestUser, ImSocket, string], [TestUser, ImSocket, string]];
    const bobDm = await befriend(sb, sa, alice.userId);
    const carolDm = await befriend(sc, sa, alice.userId);
    await befriend(sd, sa, alice.userId);
    await se.request('send_friend_request', { user_id: alice.userId, message: 'Hi Alice, we met at the conference!' });

    const group = await sa.request('create_group', { name: 'Weekend hike', member_ids: people.slice(1, 4).map(([u]) => u.userId) });
    const g = group.conversation_id;
    await sd.sendText(g, 'Who is in for Saturday? 🥾');
    await sc.sendText(g, 'Me! Which trail?');
    await sa.sendText(g, 'The ridge loop, 14 km. Meet at the station at 8:30');
    await sb.sendText(g, `@Alice Martin count me in, I'll bring snacks`, { tags: [['mention', alice.userId]] });
    const photo = await cluster.http.uploadFile(dan.session.token, sunrisePng(480, 270), { name: 'ridge-at-dawn.png', mime: 'image/png' });
    await sd.sendFile(g, photo, { name: 'ridge-at-dawn.png', caption: 'Last time up there', tags: [['dim', '480x270']] });
    await ev(sd, g, 3, 'Route map', [
      ['url', 'https://maps.example.com/ridge-loop.gpx'],
      ['m', 'application/gpx+xml'],
      ['size', '48211'],
      ['name', 'ridge-loop.gpx'],
    ]);
    await sa.request('set_conversation_prefs', { conversation_id: g, pinned: true });

    await sc.sendText(carolDm, 'Are we still on for coffee tomorrow?');
    await sc.sendText(carolDm, 'I found a new place near the park ☕');

    const hi = await sb.sendText(bobDm, 'Hey Alice! Did you see the release notes?');
    await sa.sendText(bobDm, 'Yes! The new reconnect banner is great');
    const q = await sb.sendText(bobDm, 'Messages sent offline just go out when the connection is back');
    await sa.sendText(bobDm, 'Exactly, nothing lost and nothing twice 🎉', { tags: [['reply', q.event_id]] });
    await ev(sa, bobDm, 12, '👍', [['e', hi.event_id]]);
    await ev(sb, bobDm, 12, '🎉', [['e', q.event_id]]);
    const slides = await cluster.http.uploadFile(bob.session.token, Buffer.alloc(1843200, 0x25), { name: 'release-slides.pdf', mime: 'application/pdf' });
    await sb.sendFile(bobDm, slides, { name: 'release-slides.pdf', caption: 'Here are the slides' });
    const last = await sa.sendText(bobDm, 'Thanks, I will read them tonight');
    await ev(sa, bobDm, 7, 'Thanks, I will read them on the train', [['e', last.event_id]]);

    const hike = await sc.request('post_moment', { content: 'Made it to the top before sunrise. Worth every step of the climb! 🌄', visibility: 'public' });
    await sd.request('comment_moment', { moment_id: hike.moment.moment_id, content: 'What a view!' });
    await sb.request('like_moment', { moment_id: hike.moment.moment_id });
    await sd.request('like_moment', { moment_id: hike.moment.moment_id });
    await sb.request('post_moment', { content: 'Release day 🚀 Thanks everyone who tested the new web client this week.', visibility: 'public' });

    const shot = (page: Page, name: string) => page.screenshot({ path: path.join(OUT, `${name}.png`) });

    // Sign-in screen.
    const login = await openApp(browser, cluster.gatewayUrl, { viewport: { width: 1280, height: 800 } });
    await login.page.getByRole('tab', { name: 'Sign in' }).waitFor();
    await shot(login.page, 'login');
    await login.context.close();

    // The desktop layout: list and chat.
    const app = await openApp(browser, cluster.gatewayUrl, { viewport: { width: 1280, height: 800 } });
    const page = app.page;
    await signIn(page, alice.username, alice.password);
    await conversationRow(page, 'Carol Diaz').waitFor();
    await openChat(page, 'Bob Chen');
    await message(page, 'Thanks, I will read them on the train').waitFor();
    const read = await sb.request('sync', { conversation_id: bobDm, limit: 1 });
    await sb.request('event', { conversation_id: bobDm, kind: 10, content: String(read.max_seq) });
    await message(page, 'Thanks, I will read them on the train').getByRole('img', { name: 'Read' }).waitFor();
    await sb.notify('event', { conversation_id: bobDm, kind: 11, content: '' });
    await page.locator('.chat-sub', { hasText: 'typing…' }).waitFor();
    await shot(page, 'chat');

    await openChat(page, 'Weekend hike');
    await page.locator('.file-name', { hasText: 'ridge-loop.gpx' }).waitFor();
    await page.locator('img.file-preview[alt="ridge-at-dawn.png"]').evaluate((el) => (el as unknown as { decode(): Promise<void> }).decode());
    await shot(page, 'group-chat');

    // The search index is written in the background: wait until it has the message.
    while ((await sa.request('search_messages', { query: 'trail' })).events.length === 0) await new Promise((r) => setTimeout(r, 100));
    await goTo(page, 'Chats');
    await page.getByLabel('Search messages').fill('trail');
    await page.getByRole('list', { name: 'Search results' }).getByRole('button').first().waitFor();
    await page.getByRole('list', { name: 'Search results' }).getByRole('button').first().click();
    await page.locator('.chat-head h2', { hasText: 'Weekend hike' }).waitFor();
    await shot(page, 'search');
    await page.getByRole('button', { name: 'Clear search' }).click();

    await goTo(page, 'Friends');
    await page.getByRole('region', { name: 'Friend requests' }).waitFor();
    await page.getByRole('region', { name: 'Friends list' }).getByText('Bob Chen').click();
    await page.getByRole('button', { name: 'Message' }).waitFor();
    await shot(page, 'friends');

    await goTo(page, 'Groups');
    await page.getByRole('list', { name: 'Groups' }).getByText('Weekend hike').click();
    await page.getByRole('region', { name: 'Members' }).getByText('Dan Okafor').waitFor();
    await shot(page, 'groups');

    await goTo(page, 'Moments');
    await page.locator('[data-testid="moment"]', { hasText: 'Made it to the top' }).getByText('What a view!').waitFor();
    await shot(page, 'moments');

    // The same on a phone.
    const phone = await openApp(browser, cluster.gatewayUrl, { viewport: { width: 390, height: 844 }, mobile: true });
    await signIn(phone.page, alice.username, alice.password);
    await conversationRow(phone.page, 'Weekend hike').waitFor();
    await shot(phone.page, 'phone-list');
    await conversationRow(phone.page, 'Bob Chen').click();
    await message(phone.page, 'Thanks, I will read them on the train').waitFor();
    await shot(phone.page, 'phone-chat');

    for (const [, s] of people) await s.close();
    console.log(`screenshots written to ${path.relative(ROOT, OUT)}`);
  } finally {
    await browser.close();
    await cluster.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
