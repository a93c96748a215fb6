/**
 * The React device manager example (examples/react-device-manager) in Chromium: built as a user
 * gets it, served on a port of its own, and driven as two devices of one user.
 *
 *   describeWithChromium('the example', () => {
 *     const t = useTestServer();
 *     const chromium = useChromium();
 *     const app = useDeviceManagerApp(t);
 *     it('...', async () => {
 *       const devices = await app.openTwoDevices(chromium.browser);
 *       ...
 *     });
 *   });
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, BrowserContextOptions, Page, Request, WebSocketRoute } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, expect } from 'vitest';
import { newLocalContext } from './browser';
import { FIREFOX_LINUX, SAFARI_IPHONE, type ServerFixture } from './fixture';
import { PASSWORD, uniqueEmail } from './operations';

const ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLE_CONFIG = path.join(ROOT, 'examples', 'react-device-manager', 'vite.config.mts');
const RESULTS_DIR = path.join(ROOT, 'test-results');

export const UI_TIMEOUT = { timeout: 10_000 };
/** How soon a device must show what happened elsewhere: the server closes a revoked socket within a second. */
export const LIVE_TIMEOUT = { timeout: 5_000 };
export const SIGNED_OUT_NOTICE = 'You were signed out on this device.';

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

/** A form in a card of its own under the device list: its fields, its outcome and its errors. */
function accountForm(page: Page, title: string) {
  const region = page.getByRole('region', { name: title });
  return {
    region,
    status: region.getByRole('status'),
    alert: region.getByRole('alert'),
    field: (label: string) => region.getByLabel(label, { exact: true }),
    submit: region.getByRole('button', { name: title, exact: true }),
  };
}

/** The device manager's screens, found the way a user finds them: by roles, labels and text. */
export function deviceManager(page: Page) {
  const list = page.getByRole('list', { name: "Where you're logged in" });
  const activity = page.getByRole('list', { name: 'Recent security activity' });
  const passwordForm = accountForm(page, 'Change password');
  const deleteForm = accountForm(page, 'Delete account');
  return {
    page,
    list,
    devices: list.getByRole('listitem'),
    device: (name: string) => list.getByRole('listitem').filter({ hasText: name }),
    /** The security log's lines as shown, newest first ("New sign-in · Chrome 130 on macOS · 127.0.0.1 · just now"). */
    activityLines: () => activity.getByRole('listitem').allTextContents(),
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

    passwordForm: {
      ...passwordForm,
      logOutOtherDevices: passwordForm.region.getByRole('checkbox', { name: 'Log out my other devices' }),
    },
    /** Fills the change-password form and sends it, the box left as it is. */
    async changePassword(currentPassword: string, newPassword: string) {
      await passwordForm.field('Current password').fill(currentPassword);
      await passwordForm.field('New password').fill(newPassword);
      await passwordForm.submit.click();
    },
    deleteForm,
    async deleteAccount(password: string) {
      await deleteForm.field('Your password').fill(password);
      await deleteForm.submit.click();
    },
  };
}
export type DeviceManagerPage = ReturnType<typeof deviceManager>;

/** The operations a page sends to the API over HTTP, by name, as they are sent. */
export function recordApiCalls(page: Page, apiUrl: string): string[] {
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
export async function interceptSockets(page: Page, wsUrl: string, dropFromServer: (message: string) => boolean = () => false) {
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

/** A registers, B signs in as the same user; both lists show both devices, and both sockets are live. Returns the email. */
export async function signInOnBoth(a: DeviceManagerPage, b: DeviceManagerPage, name: string): Promise<string> {
  const email = uniqueEmail(name);
  await a.register(email);
  await a.live.waitFor(UI_TIMEOUT);
  await b.signIn(email);
  await b.expectDeviceCount(2);
  await b.live.waitFor(UI_TIMEOUT);
  await a.expectDeviceCount(2);
  return email;
}

/** Signed out by the server: the sign-in form with the plain notice first, and no token left in the tab. */
export async function expectSignedOut(device: DeviceManagerPage, timeout = UI_TIMEOUT) {
  await device.signInHeading.waitFor(timeout);
  expect(await device.status.textContent()).toContain(SIGNED_OUT_NOTICE);
  // A string, evaluated in the page: the tests' TypeScript has no DOM types.
  expect(await device.page.evaluate('sessionStorage.length')).toBe(0);
}

/** The example built against `t`'s server and served for the calling describe block (call it inside `describeWithChromium`). */
export function useDeviceManagerApp(t: ServerFixture) {
  let app: { url: string; close: () => Promise<void> } | undefined;
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

  return {
    /**
     * Two devices of one person: the same IP, so they differ by user agent (Firefox on Linux, Safari
     * on an iPhone). `options` add to each device's context: `extraHTTPHeaders` with an
     * X-Forwarded-For, say, which a server with TRUST_PROXY takes for the device's address (the
     * browser sends them on every request, the app's calls to the API included).
     */
    async openTwoDevices(browser: Browser, options: { a?: BrowserContextOptions; b?: BrowserContextOptions } = {}) {
      if (!app) throw new Error('useDeviceManagerApp: the app is not built yet');
      const allowed = [app.url, t.server.url];
      const laptop = await newLocalContext(browser, allowed, { userAgent: FIREFOX_LINUX, viewport: { width: 1000, height: 560 }, ...options.a });
      const phone = await newLocalContext(browser, allowed, { userAgent: SAFARI_IPHONE, viewport: { width: 390, height: 760 }, ...options.b });
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
    },
  };
}
