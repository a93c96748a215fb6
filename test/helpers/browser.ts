/**
 * Browser tests: Debian's Chromium driven by playwright-core (which never downloads a browser here).
 *
 *   describeWithChromium('my page', () => {
 *     const chromium = useChromium();
 *     it('works offline', async () => {
 *       const { context, foreignRequests } = await newLocalContext(chromium.browser, [serverUrl]);
 *       const page = await context.newPage();
 *       ...
 *       await saveScreenshot(page, 'my-page');
 *       expect(foreignRequests).toEqual([]);
 *     });
 *   });
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe } from 'vitest';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM_PATH);

/** Headless, and quiet: no sandbox (containers), no GPU, none of Chromium's own calls home. */
const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const SCREENSHOT_DIR = path.resolve(__dirname, '..', '..', 'test-results', 'screenshots');

/** `describe` for tests that need Chromium: where there is none, skipped with a banner rather than failed. */
export function describeWithChromium(name: string, body: () => void): void {
  if (!chromiumAvailable) console.warn(`\n*** BROWSER TESTS SKIPPED: no Chromium at ${CHROMIUM_PATH} ("${name}") ***\n`);
  describe.skipIf(!chromiumAvailable)(name, body);
}

/** One Chromium for the calling describe block (call it inside `describeWithChromium`), closed after it. */
export function useChromium(): { browser: Browser } {
  const fixture = {} as { browser: Browser };
  beforeAll(async () => {
    fixture.browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: LAUNCH_ARGS });
  });
  afterAll(async () => {
    await fixture.browser?.close();
  });
  return fixture;
}

export interface LocalContext {
  readonly context: BrowserContext;
  /** Every request that tried to leave the allowed origins (each was aborted); a test expects none. */
  readonly foreignRequests: string[];
}

/** A WebSocket belongs to the origin it upgrades from: ws://host:port is http://host:port (wss, https). */
function httpOriginOf(url: URL): string {
  return url.origin.replace(/^ws/, 'http');
}

/**
 * A fresh context (its own storage) whose pages and workers may only reach `allowedOrigins`
 * (URLs; only their origins count, and a WebSocket to one of them is local too). Any other HTTP or
 * WebSocket request is aborted and recorded, so a page that needs a CDN or phones home fails
 * visibly instead of working by luck.
 */
export async function newLocalContext(browser: Browser, allowedOrigins: string[], options: BrowserContextOptions = {}): Promise<LocalContext> {
  const allowed = new Set(allowedOrigins.map((url) => httpOriginOf(new URL(url))));
  const isForeign = (url: URL) => /^(https?|wss?):$/.test(url.protocol) && !allowed.has(httpOriginOf(url));
  const foreignRequests: string[] = [];
  const record = (url: string) => {
    if (!foreignRequests.includes(url)) foreignRequests.push(url);
  };

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  // Seen here even when a request never reaches a route (a service worker's, say).
  context.on('request', (request) => {
    if (isForeign(new URL(request.url()))) record(request.url());
  });
  await context.route(isForeign, (route) => {
    record(route.request().url());
    return route.abort('blockedbyclient');
  });
  await context.routeWebSocket(isForeign, (socket) => {
    record(socket.url());
    return socket.close();
  });
  return { context, foreignRequests };
}

/**
 * Like `newLocalContext`, but without request interception: with any route set, Playwright answers
 * every CORS preflight itself (204, allow everything), so a test of the server's own preflight needs
 * a context without routes. 127.0.0.1 is reached directly (the proxy's bypass list); anything else
 * goes to a proxy on a closed port, so it fails, and is recorded in `foreignRequests` all the same.
 */
export async function newContextWithRealPreflights(
  browser: Browser,
  allowedOrigins: string[],
  deadProxyPort: number,
  options: BrowserContextOptions = {},
): Promise<LocalContext> {
  const allowed = new Set(allowedOrigins.map((url) => httpOriginOf(new URL(url))));
  const foreignRequests: string[] = [];
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    ...options,
    // Playwright has Chromium proxy loopback too unless it is listed.
    proxy: { server: `http://127.0.0.1:${deadProxyPort}`, bypass: '127.0.0.1' },
  });
  context.on('request', (request) => {
    const url = new URL(request.url());
    if (/^(https?|wss?):$/.test(url.protocol) && !allowed.has(httpOriginOf(url)) && !foreignRequests.includes(request.url())) {
      foreignRequests.push(request.url());
    }
  });
  return { context, foreignRequests };
}

/** Saves a PNG of the page as a test artifact, test-results/screenshots/<name>.png; returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
