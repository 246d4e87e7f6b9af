import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

/**
 * Browser tests drive Debian's Chromium with playwright-core (which downloads no browser).
 * A missing Chromium fails the test with how to install it: it is never skipped.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * What Chromium needs as root, offline and headless: no sandbox (root), no GPU, and none
 * of its own calls home. Playwright gives every launch a fresh profile of its own (a
 * temporary --user-data-dir made with mkdtemp and removed on close).
 */
export const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Long enough for a loaded 2-core machine; every wait is on visible state, never a sleep. */
export const UI_TIMEOUT = 20_000;

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: the browser tests need it. Install it with "apt-get install -y chromium" (.ci/run does), or set CHROMIUM_PATH.`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, timeout: 60_000 });
}

export interface AppPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and alert/confirm/prompt dialogs: a test can require none. */
  problems: string[];
}

export async function openApp(browser: Browser, url: string, options: { viewport?: { width: number; height: number }; mobile?: boolean } = {}): Promise<AppPage> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
    ...(options.mobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
    locale: 'en-US',
  });
  context.setDefaultTimeout(UI_TIMEOUT);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.type()} ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(url);
  return { context, page, problems };
}

let counter = 0;
export function uniqueName(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${++counter}`.slice(0, 32);
}

export const PASSWORD = 'correct horse battery';

export async function signUp(page: Page, username: string, nickname: string, email?: string): Promise<void> {
  await page.getByRole('tab', { name: 'Sign up' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Display name').fill(nickname);
  if (email) await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await signedIn(page);
}

export async function signIn(page: Page, account: string, password = PASSWORD): Promise<void> {
  await page.getByRole('tab', { name: 'Sign in' }).click();
  await page.getByLabel('Username, email or phone').fill(account);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await signedIn(page);
}

/** The signed-in layout is up and the client is connected (no banner). */
export async function signedIn(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  await page.locator('.banner').waitFor({ state: 'detached' });
}

export async function goTo(page: Page, tab: 'Chats' | 'Friends' | 'Groups' | 'Moments'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: tab }).click();
}

/** Searches a user by username and sends a friend request from the Friends screen. */
export async function requestFriend(page: Page, username: string, nickname: string): Promise<void> {
  await goTo(page, 'Friends');
  await page.getByLabel('Find people').fill(username);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByRole('button', { name: `Add ${nickname}` }).click();
  await page.getByRole('dialog', { name: `Add ${nickname}` }).getByRole('button', { name: 'Send request' }).click();
  await page.getByText('Requested').waitFor();
}

export async function acceptFriend(page: Page, nickname: string): Promise<void> {
  await goTo(page, 'Friends');
  await page.getByRole('button', { name: `Accept ${nickname}` }).click();
  await page.getByRole('region', { name: 'Friends list' }).getByText(nickname).waitFor();
}

export function conversationRow(page: Page, name: string): Locator {
  return page.getByRole('list', { name: 'Conversations' }).getByRole('link').filter({ hasText: name });
}

export async function openChat(page: Page, name: string): Promise<void> {
  await goTo(page, 'Chats');
  await conversationRow(page, name).click();
  await page.locator('.chat-head h2', { hasText: name }).waitFor();
}

export function messages(page: Page): Locator {
  return page.locator('li[data-testid="message"]');
}

/** The message bubble whose text is exactly this (stored, not pending). */
export function message(page: Page, text: string): Locator {
  return messages(page).filter({ has: page.locator('p.text', { hasText: new RegExp(`^${escapeRe(text)}$`) }) });
}

export async function send(page: Page, text: string): Promise<void> {
  const box = page.getByLabel('Message', { exact: true });
  await box.fill(text);
  await box.press('Enter');
}

/** Opens a message's actions and clicks one (Reply, Edit, Revoke, Forward, or `React 👍`). */
export async function messageAction(page: Page, text: string, action: string): Promise<void> {
  const m = message(page, text);
  await m.hover();
  await m.getByRole('button', { name: 'Message actions' }).click();
  await page.getByRole('dialog', { name: 'Message' }).getByRole('button', { name: action, exact: true }).click();
}

/** The texts of the message bubbles shown, in order. */
export async function shownTexts(page: Page): Promise<string[]> {
  return page.locator('li[data-testid="message"] .bubble > p.text').allTextContents();
}

/**
 * Waits until `check` holds, asked from here every 50 ms. Not `page.waitForFunction`: when its
 * first check fails it polls by evaluating a string in the page, which the web client's CSP
 * (no 'unsafe-eval') refuses.
 */
export async function until(what: string, check: () => Promise<boolean>, timeout = UI_TIMEOUT): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
