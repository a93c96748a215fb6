import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { PLAYGROUND_BUILD_DIR } from '../../src/http/playground';
import { describeWithChromium, newLocalContext, saveScreenshot, useChromium } from '../helpers/browser';
import { SAFARI_IPHONE, useTestServer } from '../helpers/fixture';
import { LOGOUT, PASSWORD, logInUser, registerUser, uniqueEmail } from '../helpers/operations';
import { waitForSubscriptions } from '../helpers/subscription-client';

/** Monaco loads its workers and language modes lazily, and GraphiQL runs operations asynchronously. */
const UI_TIMEOUT = { timeout: 15_000 };

/** The lines a Monaco editor shows, whitespace (Monaco draws spaces as no-break spaces) made plain. */
async function shownText(editor: Locator): Promise<string> {
  return (await editor.locator('.view-lines').innerText()).replace(/\s+/g, ' ');
}

/**
 * Replaces a Monaco editor's text the way a user pastes: focus, select all, delete, insert. Without
 * the delete, Monaco would wrap a leading `{` around the selection (auto-surround) before replacing it.
 */
async function replaceText(page: Page, editor: Locator, text: string): Promise<void> {
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.insertText(text);
  await expect.poll(() => shownText(editor), UI_TIMEOUT).toContain(text.slice(0, 30));
}

/**
 * Clicks the run button once GraphiQL has parsed what was just typed. While the editor still holds
 * several operations (the default document does), the button opens a menu of them instead of running.
 */
async function execute(page: Page): Promise<void> {
  const run = page.getByRole('button', { name: /^Execute query/ });
  await expect.poll(() => run.getAttribute('aria-haspopup'), UI_TIMEOUT).toBeNull();
  await run.click();
}

function graphqlResponse(page: Page, fieldName: string) {
  return page.waitForResponse((response) => response.request().method() === 'POST' && (response.request().postData() ?? '').includes(fieldName));
}

describeWithChromium('the playground at GET /graphql', () => {
  const t = useTestServer();
  const chromium = useChromium();

  beforeAll(() => {
    if (!existsSync(path.join(PLAYGROUND_BUILD_DIR, 'index.html'))) {
      throw new Error(`No playground build in ${PLAYGROUND_BUILD_DIR}: run \`npm run build:playground\` first`);
    }
  });

  it('loads offline, and runs myLogins with a token pasted into the headers editor', { timeout: 60_000 }, async () => {
    const { context, foreignRequests } = await newLocalContext(chromium.browser, [t.server.url]);
    const problems: string[] = [];
    const assetCaching = new Map<string, string | undefined>();
    try {
      const page = await context.newPage();
      // Page errors, CSP refusals and Monaco's "could not create web worker" fallback all show up here.
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
      });
      page.on('response', (response) => {
        if (response.url().includes('/playground/assets/')) assetCaching.set(response.url(), response.headers()['cache-control']);
      });

      const response = await page.goto(t.server.url);
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-type']).toMatch(/^text\/html/);
      expect(await page.title()).toBe('login-activity playground');

      const operationEditor = page.getByRole('region', { name: 'Operation Editor' }).locator('.monaco-editor');
      const headersEditor = page.getByRole('region', { name: 'Headers' }).locator('.monaco-editor[data-uri$="headers.json"]');
      const resultWindow = page.getByRole('region', { name: 'Result Window' }).locator('.monaco-editor');
      await expect.poll(() => shownText(operationEditor), UI_TIMEOUT).toContain('Welcome to the login-activity playground');

      // 1. Register in the playground, and "copy" the token from its result.
      const registered = graphqlResponse(page, 'register');
      await replaceText(page, operationEditor, `mutation { register(input: { email: "${uniqueEmail('playground')}", password: "${PASSWORD}" }) { token } }`);
      await execute(page);
      const { data } = (await (await registered).json()) as { data: { register: { token: string } } };
      const token = data.register.token;
      await expect.poll(() => shownText(resultWindow), UI_TIMEOUT).toContain('"token"');

      // 2. Paste the Authorization header into the headers editor (shown from the start), run myLogins.
      expect(await headersEditor.isVisible()).toBe(true);
      await replaceText(page, headersEditor, `{"Authorization": "Bearer ${token}"}`);
      await replaceText(page, operationEditor, 'query MyLogins { myLogins { device ipAddress current } }');
      // Prettify formats the operation and the headers (with Prettier, itself loaded from this server).
      await page.getByRole('button', { name: /^Prettify query/ }).click();
      await expect.poll(() => operationEditor.locator('.view-line').count(), UI_TIMEOUT).toBeGreaterThan(1);
      const listed = graphqlResponse(page, 'myLogins');
      await execute(page);
      const answer = await listed;
      expect(answer.request().headers()['authorization']).toBe(`Bearer ${token}`);
      expect(await answer.json()).toEqual({
        data: { myLogins: [{ device: expect.stringMatching(/^Chrome/), ipAddress: '127.0.0.1', current: true }] },
      });
      await expect.poll(() => shownText(resultWindow), UI_TIMEOUT).toContain('"current": true');

      // Scrolled back to the start of the long token line, so the picture shows the header's name.
      await headersEditor.click();
      await page.keyboard.press('ControlOrMeta+Home');
      // The README's docs/playground.png is a copy of this one.
      await saveScreenshot(page, 'playground');
      expect(problems).toEqual([]);
      expect([...assetCaching.values()].length).toBeGreaterThan(0);
      for (const [url, cacheControl] of assetCaching) expect(cacheControl, url).toBe('public, max-age=31536000, immutable');
      expect(foreignRequests).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('runs the LoginActivity subscription over a same-origin WebSocket, the token from the headers editor', { timeout: 60_000 }, async () => {
    const { context, foreignRequests } = await newLocalContext(chromium.browser, [t.server.url]);
    const problems: string[] = [];
    const webSockets: string[] = [];
    try {
      const page = await context.newPage();
      // A CSP refusal of the WebSocket would show up here.
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
      });
      page.on('websocket', (socket) => webSockets.push(socket.url()));
      await page.goto(t.server.url);

      const operationEditor = page.getByRole('region', { name: 'Operation Editor' }).locator('.monaco-editor');
      const headersEditor = page.getByRole('region', { name: 'Headers' }).locator('.monaco-editor[data-uri$="headers.json"]');
      const resultWindow = page.getByRole('region', { name: 'Result Window' }).locator('.monaco-editor');
      await expect.poll(() => shownText(operationEditor), UI_TIMEOUT).toContain('5. Run LoginActivity');

      const email = uniqueEmail('playground-live');
      const { token } = await registerUser(t.api.withHeaders({ 'user-agent': 'laptop/1' }), email);
      // The header's name in another case than the server reads: the playground finds it anyway.
      await replaceText(page, headersEditor, `{"AUTHORIZATION": "Bearer ${token}"}`);
      await replaceText(page, operationEditor, 'subscription LoginActivity { loginActivity { kind at login { device current } } }');
      await execute(page);
      await waitForSubscriptions(t.server, 1, 15_000);

      // Another device of the same user logs in over HTTP: its LOGIN event appears in the result pane.
      await logInUser(t.api.withHeaders({ 'user-agent': SAFARI_IPHONE }), email);
      await expect.poll(() => shownText(resultWindow), UI_TIMEOUT).toContain('"kind": "LOGIN"');
      expect(await shownText(resultWindow)).toContain('"device": "Safari 17 on iOS"');
      // Scrolled back to the start of both one-line editors, for the picture.
      for (const editor of [operationEditor, headersEditor]) {
        await editor.click();
        await page.keyboard.press('ControlOrMeta+Home');
      }
      await saveScreenshot(page, 'playground-subscription');

      // The stop button unsubscribes at once, without waiting for another event.
      await page.getByRole('button', { name: /^Stop query/ }).click();
      await waitForSubscriptions(t.server, 0);

      // Run again, then log this token out: its own REVOKED, then the 4401 close, explained.
      await execute(page);
      await waitForSubscriptions(t.server, 1, 15_000);
      await t.api.withToken(token).ok(LOGOUT);
      await expect.poll(() => shownText(resultWindow), UI_TIMEOUT).toContain('closed with 4401: Session ended');
      expect(await shownText(resultWindow)).toContain('Headers tab');
      await saveScreenshot(page, 'playground-subscription-ended');

      // A new token in the headers editor: the next run connects with it (the revoked one would get 4401).
      const again = await logInUser(t.api.withHeaders({ 'user-agent': 'laptop/1' }), email);
      await replaceText(page, headersEditor, `{"Authorization": "Bearer ${again.token}"}`);
      await execute(page);
      await waitForSubscriptions(t.server, 1, 15_000);
      await page.getByRole('button', { name: /^Stop query/ }).click();
      await waitForSubscriptions(t.server, 0);

      expect(new Set(webSockets)).toEqual(new Set([t.server.url.replace(/^http/, 'ws')]));
      expect(webSockets).toHaveLength(3);
      expect(problems).toEqual([]);
      expect(foreignRequests).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("would notice a request to another host, which the page's CSP refuses to make anyway", async () => {
    const { context, foreignRequests } = await newLocalContext(chromium.browser, [t.server.url]);
    const fetchFromCdn = `fetch('https://cdn.example.com/graphiql.js').then(() => 'loaded', () => 'failed')`;
    try {
      const page = await context.newPage();
      await page.goto(t.server.url);
      // connect-src 'self': the browser never even sends it.
      expect(await page.evaluate<string>(fetchFromCdn)).toBe('failed');
      expect(foreignRequests).toEqual([]);
      // From a page without that CSP the request goes out, and the guard aborts and lists it.
      await page.goto('about:blank');
      expect(await page.evaluate<string>(fetchFromCdn)).toBe('failed');
      expect(foreignRequests).toEqual(['https://cdn.example.com/graphiql.js']);
    } finally {
      await context.close();
    }
  });
});
