import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithChromium, newLocalContext, saveScreenshot, useChromium } from '../helpers/browser';
import { FIREFOX_LINUX, SAFARI_IPHONE, useTestServer } from '../helpers/fixture';
import { PASSWORD, uniqueEmail } from '../helpers/operations';

const ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLE_CONFIG = path.join(ROOT, 'examples', 'react-device-manager', 'vite.config.mts');
const RESULTS_DIR = path.join(ROOT, 'test-results');

const UI_TIMEOUT = { timeout: 10_000 };
const SIGNED_OUT_NOTICE = 'You were signed out on this device.';

/** The example as a user gets it: a production build that calls the API at `graphqlUrl` directly (CORS). */
async function buildExample(graphqlUrl: string, outDir: string): Promise<void> {
  // Vite builds React's development version when NODE_ENV says so, and vitest sets it to "test".
  const nodeEnv = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
    await build({
      configFile: EXAMPLE_CONFIG,
      logLevel: 'warn',
      define: { 'import.meta.env.VITE_GRAPHQL_URL': JSON.stringify(graphqlUrl) },
      build: { outDir, emptyOutDir: true },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env['NODE_ENV'];
    else process.env['NODE_ENV'] = nodeEnv;
  }
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** Serves the built files on a port of its own, as any static host would. */
async function serveStatic(folder: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(async (request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    const file = path.join(folder, pathname === '/' ? 'index.html' : path.normalize(pathname));
    try {
      if (!file.startsWith(folder)) throw new Error('outside the build folder');
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The device manager's screens, found the way a user finds them: by roles, labels and text. */
function deviceManager(page: Page) {
  const list = page.getByRole('list', { name: "Where you're logged in" });
  return {
    page,
    list,
    devices: list.getByRole('listitem'),
    device: (name: string) => list.getByRole('listitem').filter({ hasText: name }),
    signInHeading: page.getByRole('heading', { name: 'Sign in' }),
    listHeading: page.getByRole('heading', { name: "Where you're logged in" }),
    status: page.getByRole('status'),
    alert: page.getByRole('alert'),
    button: (name: string | RegExp) => page.getByRole('button', { name, exact: typeof name === 'string' }),

    async fillCredentials(email: string, password: string) {
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(password);
    },
    async register(email: string) {
      await this.button('Create an account').click();
      await this.fillCredentials(email, PASSWORD);
      await this.button('Create account').click();
      await this.listHeading.waitFor(UI_TIMEOUT);
    },
    async signIn(email: string, password = PASSWORD) {
      await this.fillCredentials(email, password);
      await this.button('Sign in').click();
    },
    async expectDeviceCount(count: number) {
      await expect.poll(() => this.devices.count(), UI_TIMEOUT).toBe(count);
    },
  };
}
type DeviceManagerPage = ReturnType<typeof deviceManager>;

describeWithChromium('the React device manager example (examples/react-device-manager)', () => {
  const t = useTestServer();
  const chromium = useChromium();
  let app: { url: string; close: () => Promise<void> };
  let buildDir: string | undefined;

  beforeAll(async () => {
    await mkdir(RESULTS_DIR, { recursive: true });
    buildDir = await mkdtemp(path.join(RESULTS_DIR, 'device-manager-build-'));
    await buildExample(t.server.url, buildDir);
    app = await serveStatic(buildDir);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    if (buildDir) await rm(buildDir, { recursive: true, force: true });
  });

  /** Two devices of one person: the same IP, so they differ by user agent (Firefox on Linux, Safari on an iPhone). */
  async function openTwoDevices(browser: Browser) {
    const allowed = [app.url, t.server.url];
    const laptop = await newLocalContext(browser, allowed, { userAgent: FIREFOX_LINUX, viewport: { width: 1000, height: 560 } });
    const phone = await newLocalContext(browser, allowed, { userAgent: SAFARI_IPHONE, viewport: { width: 390, height: 760 } });
    const a = deviceManager(await laptop.context.newPage());
    const b = deviceManager(await phone.context.newPage());
    await Promise.all([a.page.goto(app.url), b.page.goto(app.url)]);
    return {
      a,
      b,
      foreignRequests: () => [...laptop.foreignRequests, ...phone.foreignRequests],
      close: async () => {
        await laptop.context.close();
        await phone.context.close();
      },
    };
  }

  async function expectSignedOut(device: DeviceManagerPage) {
    await device.signInHeading.waitFor(UI_TIMEOUT);
    expect(await device.status.textContent()).toContain(SIGNED_OUT_NOTICE);
    // A string, evaluated in the page: the tests' TypeScript has no DOM types.
    expect(await device.page.evaluate('sessionStorage.length')).toBe(0);
  }

  it('logs out another device, which lands on the sign-in form at its next request', async () => {
    const devices = await openTwoDevices(chromium.browser);
    const { a, b } = devices;
    try {
      const email = uniqueEmail('alice');
      await a.register(email);
      await a.expectDeviceCount(1);
      // The token is kept in sessionStorage: a reload of the tab stays signed in.
      await a.page.reload();
      await a.expectDeviceCount(1);

      await b.signIn(email, 'not the password');
      await b.alert.waitFor(UI_TIMEOUT);
      expect(await b.alert.textContent()).toBe('Incorrect email or password.');
      await b.signIn(email);
      await b.expectDeviceCount(2);
      expect(await b.device('Safari 17 on iOS').textContent()).toContain('This device');

      await a.button('Refresh').click();
      await a.expectDeviceCount(2);
      expect(await a.device('Firefox 132 on Linux').textContent()).toContain('This device');
      expect(await a.device('Safari 17 on iOS').textContent()).not.toContain('This device');
      // Off the Refresh button, so the picture shows no hover underline.
      await a.page.mouse.move(0, 0);
      await saveScreenshot(a.page, 'device-manager-a-two-devices');

      await a.button('Log out Safari 17 on iOS').click();
      await a.expectDeviceCount(1);
      expect(await a.status.textContent()).toBe('Logged out Safari 17 on iOS.');

      // B does not know yet; its next request is refused with 401 and it signs itself out.
      await b.button('Refresh').click();
      await expectSignedOut(b);
      await saveScreenshot(b.page, 'device-manager-b-signed-out');

      expect(devices.foreignRequests()).toEqual([]);
    } finally {
      await devices.close();
    }
  });

  it('logs out all other devices, then everywhere', async () => {
    const devices = await openTwoDevices(chromium.browser);
    const { a, b } = devices;
    try {
      const email = uniqueEmail('bob');
      await a.register(email);
      await b.signIn(email);
      await b.expectDeviceCount(2);
      await a.button('Refresh').click();
      await a.expectDeviceCount(2);

      await a.button('Log out all other devices').click();
      await a.expectDeviceCount(1);
      expect(await a.status.textContent()).toBe('Logged out 1 other device.');
      expect(await a.device('Firefox 132 on Linux').textContent()).toContain('This device');

      await b.button('Refresh').click();
      await expectSignedOut(b);

      await a.button('Log out everywhere').click();
      await a.signInHeading.waitFor(UI_TIMEOUT);
      expect(await a.status.textContent()).toContain('You logged out on every device.');
      expect(await t.db.query(`select 1 from user_logins l join users u on u.id = l.user_id where u.email = $1 and l.revoked_at is null`, [email])).toEqual([]);

      expect(devices.foreignRequests()).toEqual([]);
    } finally {
      await devices.close();
    }
  });
});
