import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page, Request, WebSocketRoute } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithChromium, newLocalContext, saveScreenshot, useChromium } from '../helpers/browser';
import { FIREFOX_LINUX, SAFARI_IPHONE, useTestServer } from '../helpers/fixture';
import { PASSWORD, uniqueEmail } from '../helpers/operations';
import { wsUrlOf } from '../helpers/subscription-client';

const ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLE_CONFIG = path.join(ROOT, 'examples', 'react-device-manager', 'vite.config.mts');
const RESULTS_DIR = path.join(ROOT, 'test-results');

const UI_TIMEOUT = { timeout: 10_000 };
/** How soon a device must show what happened elsewhere: the server closes a revoked socket within a second. */
const LIVE_TIMEOUT = { timeout: 5_000 };
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
    live: page.getByText('Live', { exact: true }),
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

/** The operations a page sends to the API over HTTP, by name, as they are sent. */
function recordApiCalls(page: Page, apiUrl: string): string[] {
  const calls: string[] = [];
  page.on('request', (request: Request) => {
    if (request.url() !== apiUrl || request.method() !== 'POST') return;
    const body: unknown = request.postDataJSON();
    const name = typeof body === 'object' && body !== null && 'operationName' in body ? body.operationName : undefined;
    calls.push(typeof name === 'string' ? name : '(unnamed)');
  });
  return calls;
}

/**
 * Puts the test between a page and the API's WebSocket, which otherwise works as usual. It can
 * hold back the server's messages that `dropFromServer` picks, and cut the page's sockets with a
 * close code of its choice; new sockets are then refused (1013) until it allows them again.
 */
async function interceptSockets(page: Page, wsUrl: string, dropFromServer: (message: string) => boolean = () => false) {
  const open = new Set<WebSocketRoute>();
  let refusing = false;
  await page.routeWebSocket(wsUrl, (socket) => {
    if (refusing) return socket.close({ code: 1013, reason: 'Try again later' });
    const server = socket.connectToServer();
    server.onMessage((message) => {
      if (!dropFromServer(message.toString())) socket.send(message);
    });
    open.add(socket);
  });
  return {
    async cut(code: number) {
      refusing = true;
      await Promise.all([...open].map((socket) => socket.close({ code, reason: 'Cut by the test' })));
      open.clear();
    },
    allowConnections() {
      refusing = false;
    },
  };
}

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

  async function expectSignedOut(device: DeviceManagerPage, timeout = UI_TIMEOUT) {
    await device.signInHeading.waitFor(timeout);
    expect(await device.status.textContent()).toContain(SIGNED_OUT_NOTICE);
    // A string, evaluated in the page: the tests' TypeScript has no DOM types.
    expect(await device.page.evaluate('sessionStorage.length')).toBe(0);
  }

  it('logs out another device, which without its live socket lands on the sign-in form at its next request', async () => {
    const devices = await openTwoDevices(chromium.browser);
    const { a, b } = devices;
    try {
      // B's WebSocket opens but never answers (a proxy that holds WebSockets, say): B only has HTTP.
      await b.page.routeWebSocket(wsUrlOf(t.server.url), () => {});

      const email = uniqueEmail('alice');
      await a.register(email);
      await a.expectDeviceCount(1);
      // The token is kept in sessionStorage: a reload of the tab stays signed in.
      await a.page.reload();
      await a.expectDeviceCount(1);
      await a.live.waitFor(UI_TIMEOUT);

      await b.signIn(email, 'not the password');
      await b.alert.waitFor(UI_TIMEOUT);
      expect(await b.alert.textContent()).toBe('Incorrect email or password.');
      await b.signIn(email);
      await b.expectDeviceCount(2);
      expect(await b.device('Safari 17 on iOS').textContent()).toContain('This device');
      expect(await b.page.getByText('Connecting…').count()).toBe(1);

      // A is live: B's login shows up without a click.
      await a.expectDeviceCount(2);
      expect(await a.device('Firefox 132 on Linux').textContent()).toContain('This device');
      expect(await a.device('Safari 17 on iOS').textContent()).not.toContain('This device');
      await saveScreenshot(a.page, 'device-manager-a-two-devices');

      await a.button('Log out Safari 17 on iOS').click();
      await a.expectDeviceCount(1);
      expect(await a.status.textContent()).toBe('Logged out Safari 17 on iOS.');

      // B does not know yet; its next request is refused with 401 and it signs itself out.
      await b.button('Refresh').click();
      await expectSignedOut(b);
      expect(await b.status.textContent()).toContain('You were signed out on another device');
      await saveScreenshot(b.page, 'device-manager-b-signed-out');

      expect(devices.foreignRequests()).toEqual([]);
    } finally {
      await devices.close();
    }
  });

  it('shows logins and logouts elsewhere as they happen; logged out from another device, it returns to the sign-in form by itself', async () => {
    const devices = await openTwoDevices(chromium.browser);
    const { a, b } = devices;
    try {
      const email = uniqueEmail('carol');
      await b.register(email);
      await b.expectDeviceCount(1);
      await b.live.waitFor(UI_TIMEOUT);
      // From here on nothing happens in B's page: no click, no focus, no reload. Its list follows
      // what A does, over the socket.
      const bCalls = recordApiCalls(b.page, t.server.url);

      await a.signIn(email);
      await a.expectDeviceCount(2);
      await b.expectDeviceCount(2);
      expect(await b.device('Firefox 132 on Linux').textContent()).not.toContain('This device');

      await a.button('Log out').click();
      await a.signInHeading.waitFor(UI_TIMEOUT);
      await b.expectDeviceCount(1);

      await a.signIn(email);
      await a.expectDeviceCount(2);
      await b.expectDeviceCount(2);
      // Each event in B refetched the list; nothing else was asked.
      expect(new Set(bCalls)).toEqual(new Set(['MyLogins']));

      const callsBefore = bCalls.length;
      const clickedAt = performance.now();
      await a.button('Log out Safari 17 on iOS').click();
      await expectSignedOut(b, LIVE_TIMEOUT);
      expect(await b.status.textContent()).toContain('You were signed out on another device');
      const tookMs = Math.round(performance.now() - clickedAt);
      console.info(`B showed the sign-in form ${tookMs} ms after A clicked "Log out" on its row`);
      // B learnt it from the socket (its own REVOKED event): it sent no request that could have been refused.
      expect(bCalls.slice(callsBefore)).toEqual([]);
      await a.expectDeviceCount(1);

      expect(devices.foreignRequests()).toEqual([]);
    } finally {
      await devices.close();
    }
  });

  it('signs out on the close with 4401 alone, when the REVOKED event of its own login never arrives', async () => {
    const devices = await openTwoDevices(chromium.browser);
    const { a, b } = devices;
    try {
      await interceptSockets(b.page, wsUrlOf(t.server.url), (message) => message.includes('"REVOKED"'));
      const email = uniqueEmail('dave');
      await b.register(email);
      await b.live.waitFor(UI_TIMEOUT);
      await a.signIn(email);
      await b.expectDeviceCount(2);
      const bCalls = recordApiCalls(b.page, t.server.url);

      await a.button('Log out Safari 17 on iOS').click();
      await expectSignedOut(b, LIVE_TIMEOUT);
      expect(bCalls).toEqual([]);

      expect(devices.foreignRequests()).toEqual([]);
    } finally {
      await devices.close();
    }
  });

  it('reconnects after its socket was cut, and refetches the list: a login it missed while disconnected shows up', async () => {
    const devices = await openTwoDevices(chromium.browser);
    const { a, b } = devices;
    try {
      const sockets = await interceptSockets(b.page, wsUrlOf(t.server.url));
      const email = uniqueEmail('erin');
      await b.register(email);
      await b.live.waitFor(UI_TIMEOUT);

      // As when the server restarts or its database is briefly out of reach: graphql-ws retries these.
      await sockets.cut(1013);
      await b.page.getByText('Reconnecting…').waitFor(LIVE_TIMEOUT);
      await a.signIn(email);
      await a.expectDeviceCount(2);
      // B was not listening when A logged in: that event is lost for it.
      expect(await b.devices.count()).toBe(1);

      sockets.allowConnections();
      await b.live.waitFor({ timeout: 15_000 });
      await b.expectDeviceCount(2);

      expect(devices.foreignRequests()).toEqual([]);
    } finally {
      await devices.close();
    }
  });

  it('logs out all other devices, then everywhere; the other device returns to the sign-in form by itself each time', async () => {
    const devices = await openTwoDevices(chromium.browser);
    const { a, b } = devices;
    try {
      const email = uniqueEmail('bob');
      const aSocket = a.page.waitForEvent('websocket', (socket) => socket.url() === wsUrlOf(t.server.url));
      await a.register(email);
      await a.live.waitFor(UI_TIMEOUT);
      await b.signIn(email);
      await b.expectDeviceCount(2);
      await b.live.waitFor(UI_TIMEOUT);
      await a.expectDeviceCount(2);

      await a.button('Log out all other devices').click();
      await a.expectDeviceCount(1);
      expect(await a.status.textContent()).toBe('Logged out 1 other device.');
      expect(await a.device('Firefox 132 on Linux').textContent()).toContain('This device');
      await expectSignedOut(b, LIVE_TIMEOUT);

      await b.signIn(email);
      await b.expectDeviceCount(2);
      await b.live.waitFor(UI_TIMEOUT);
      await a.expectDeviceCount(2);

      // A's answer to logoutAll is held back until the server has closed A's socket: A hears of the
      // end of its own login first (its REVOKED event, then 4401), which must not pass for "signed
      // out on this device".
      const aSocketClosed = (await aSocket).waitForEvent('close');
      await a.page.route(t.server.url, async (route) => {
        if (!route.request().postData()?.includes('"LogoutAll"')) return route.fallback();
        const response = await route.fetch();
        await aSocketClosed;
        await route.fulfill({ response });
      });
      await a.button('Log out everywhere').click();
      await a.signInHeading.waitFor(UI_TIMEOUT);
      expect(await a.status.textContent()).toContain('You logged out on every device.');
      await expectSignedOut(b, LIVE_TIMEOUT);
      expect(await t.db.query(`select 1 from user_logins l join users u on u.id = l.user_id where u.email = $1 and l.revoked_at is null`, [email])).toEqual([]);

      expect(devices.foreignRequests()).toEqual([]);
    } finally {
      await devices.close();
    }
  });
});
