import { expect, it } from 'vitest';
import { describeWithChromium, saveScreenshot, useChromium } from '../helpers/browser';
import {
  LIVE_TIMEOUT,
  UI_TIMEOUT,
  expectSignedOut,
  interceptSockets,
  recordApiCalls,
  useDeviceManagerApp,
} from '../helpers/device-manager-app';
import { useTestServer } from '../helpers/fixture';
import { uniqueEmail } from '../helpers/operations';
import { wsUrlOf } from '../helpers/subscription-client';

describeWithChromium('the React device manager example (examples/react-device-manager)', () => {
  const t = useTestServer();
  const chromium = useChromium();
  const app = useDeviceManagerApp(t);

  it('logs out another device, which without its live socket lands on the sign-in form at its next request', async () => {
    const devices = await app.openTwoDevices(chromium.browser);
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
    const devices = await app.openTwoDevices(chromium.browser);
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
      // Each event in B refetched the list and the security log; nothing else was asked.
      expect(new Set(bCalls)).toEqual(new Set(['MyLogins', 'MySecurityEvents']));

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
    const devices = await app.openTwoDevices(chromium.browser);
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
    const devices = await app.openTwoDevices(chromium.browser);
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
    const devices = await app.openTwoDevices(chromium.browser);
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
