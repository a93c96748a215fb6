import { expect, it } from 'vitest';
import { LoginDocument, createClient } from '../../sdk';
import { describeWithChromium, saveScreenshot, useChromium } from '../helpers/browser';
import {
  LIVE_TIMEOUT,
  SIGNED_OUT_NOTICE,
  UI_TIMEOUT,
  expectSignedOut,
  interceptSockets,
  recordApiCalls,
  signInOnBoth,
  useDeviceManagerApp,
} from '../helpers/device-manager-app';
import { CHROME_MAC, useTestServer } from '../helpers/fixture';
import { PASSWORD, uniqueEmail } from '../helpers/operations';
import { wsUrlOf } from '../helpers/subscription-client';

/** What the sign-in form of a device says when another device's password change signed it out. */
const PASSWORD_CHANGED_NOTICE = 'Your password was changed on another device.';
const NEW_PASSWORD = `${PASSWORD} but new`;

describeWithChromium('the React device manager example: changing the password, deleting the account', () => {
  const t = useTestServer();
  const chromium = useChromium();
  const app = useDeviceManagerApp(t);

  it('changes the password with "Log out my other devices" checked: the other device is signed out and says why, then signs in with the new password', async () => {
    const devices = await app.openTwoDevices(chromium.browser);
    const { a, b } = devices;
    try {
      const email = await signInOnBoth(a, b, 'grace');
      const form = a.passwordForm;
      expect(await form.logOutOtherDevices.isChecked()).toBe(true);

      // Refused changes are errors on the form, and sign nobody out.
      await a.changePassword('not the password', NEW_PASSWORD);
      await expect.poll(() => form.alert.textContent(), UI_TIMEOUT).toBe('Your current password is incorrect.');
      expect(await form.field('Current password').getAttribute('aria-invalid')).toBe('true');
      await a.changePassword(PASSWORD, 'short');
      await expect.poll(() => form.alert.textContent(), UI_TIMEOUT).toBe('Password must be at least 8 characters.');
      expect(await form.field('New password').getAttribute('aria-invalid')).toBe('true');
      expect(await form.field('Current password').getAttribute('aria-invalid')).toBeNull();
      await b.expectDeviceCount(2);

      const bCalls = recordApiCalls(b.page, t.server.url);
      await a.changePassword(PASSWORD, NEW_PASSWORD);
      await expect.poll(() => form.status.textContent(), UI_TIMEOUT).toBe('Password changed. 1 other device was signed out.');
      expect(await form.field('Current password').inputValue()).toBe('');

      await expectSignedOut(b, LIVE_TIMEOUT);
      expect(await b.status.textContent()).toContain(PASSWORD_CHANGED_NOTICE);
      // B learnt it from its socket (its own REVOKED event, PASSWORD_CHANGED): it sent no request.
      expect(bCalls).toEqual([]);
      await saveScreenshot(b.page, 'device-manager-b-password-changed');

      // A stays signed in, and its list lost B.
      await a.expectDeviceCount(1);
      expect(await a.device('Firefox 132 on Linux').textContent()).toContain('This device');
      expect(await a.signInHeading.count()).toBe(0);
      await saveScreenshot(a.page, 'device-manager-a-password-changed');

      await b.signIn(email);
      await expect.poll(() => b.alert.textContent(), UI_TIMEOUT).toBe('Incorrect email or password.');
      await b.signIn(email, NEW_PASSWORD);
      await b.expectDeviceCount(2);
      await a.expectDeviceCount(2);

      expect(devices.foreignRequests()).toEqual([]);
    } finally {
      await devices.close();
    }
  });

  it('says why on the close with 4401 alone, when the REVOKED event of its own login never arrives', async () => {
    const devices = await app.openTwoDevices(chromium.browser);
    const { a, b } = devices;
    try {
      // B hears of the end of its login only from the close's reason: Session ended (SESSION_REVOKED: PASSWORD_CHANGED).
      await interceptSockets(b.page, wsUrlOf(t.server.url), (message) => message.includes('"REVOKED"'));
      await signInOnBoth(a, b, 'heidi');
      const bCalls = recordApiCalls(b.page, t.server.url);

      await a.changePassword(PASSWORD, NEW_PASSWORD);
      await expectSignedOut(b, LIVE_TIMEOUT);
      expect(await b.status.textContent()).toContain(PASSWORD_CHANGED_NOTICE);
      expect(bCalls).toEqual([]);
      await expect.poll(() => a.passwordForm.status.textContent(), UI_TIMEOUT).toBe('Password changed. 1 other device was signed out.');

      expect(devices.foreignRequests()).toEqual([]);
    } finally {
      await devices.close();
    }
  });

  it('says why at its next request without a live socket (HTTP 401, revokedReason PASSWORD_CHANGED)', async () => {
    const devices = await app.openTwoDevices(chromium.browser);
    const { a, b } = devices;
    try {
      // B's WebSocket opens but never answers: B only has HTTP.
      await b.page.routeWebSocket(wsUrlOf(t.server.url), () => {});
      const email = uniqueEmail('ivan');
      await a.register(email);
      await a.live.waitFor(UI_TIMEOUT);
      await b.signIn(email);
      await b.expectDeviceCount(2);

      await a.changePassword(PASSWORD, NEW_PASSWORD);
      await expect.poll(() => a.passwordForm.status.textContent(), UI_TIMEOUT).toBe('Password changed. 1 other device was signed out.');
      await b.button('Refresh').click();
      await expectSignedOut(b);
      expect(await b.status.textContent()).toContain(PASSWORD_CHANGED_NOTICE);

      expect(devices.foreignRequests()).toEqual([]);
    } finally {
      await devices.close();
    }
  });

  it('changes the password with the box unchecked: the other device stays signed in', async () => {
    const devices = await app.openTwoDevices(chromium.browser);
    const { a, b } = devices;
    try {
      const email = await signInOnBoth(a, b, 'judy');
      await a.passwordForm.logOutOtherDevices.uncheck();
      await a.changePassword(PASSWORD, NEW_PASSWORD);
      await expect.poll(() => a.passwordForm.status.textContent(), UI_TIMEOUT).toBe('Password changed. Your other devices stay signed in.');

      // A third device logs in with the new password. B's socket delivers events in order, so once B
      // lists that login, it has heard everything the password change sent it: no REVOKED came.
      const { login: mac } = await createClient({ url: t.server.url, headers: { 'user-agent': CHROME_MAC } }).request(LoginDocument, {
        input: { email, password: NEW_PASSWORD },
      });
      await b.expectDeviceCount(3);
      expect(await b.device(mac.login.device).count()).toBe(1);
      expect(await b.device('Safari 17 on iOS').textContent()).toContain('This device');
      expect(await b.live.count()).toBe(1);

      // And its token still works over HTTP.
      const bCalls = recordApiCalls(b.page, t.server.url);
      await b.button('Refresh').click();
      await expect.poll(() => bCalls).toEqual(['MyLogins']);
      await b.expectDeviceCount(3);
      expect(await b.signInHeading.count()).toBe(0);
      await a.expectDeviceCount(3);

      expect(devices.foreignRequests()).toEqual([]);
    } finally {
      await devices.close();
    }
  });

  it('deletes the account, confirmed with the password: this device says so, the other is signed out', async () => {
    const devices = await app.openTwoDevices(chromium.browser);
    const { a, b } = devices;
    try {
      const aSocket = a.page.waitForEvent('websocket', (socket) => socket.url() === wsUrlOf(t.server.url));
      const email = await signInOnBoth(a, b, 'mallory');

      await a.deleteAccount('not the password');
      await expect.poll(() => a.deleteForm.alert.textContent(), UI_TIMEOUT).toBe('Your password is incorrect.');
      expect(await a.deleteForm.field('Your password').getAttribute('aria-invalid')).toBe('true');
      await b.expectDeviceCount(2);

      // As for "Log out everywhere": A's answer is held back until the server has closed A's socket
      // (4401: its login is gone), which must not pass for "signed out on this device".
      const aSocketClosed = (await aSocket).waitForEvent('close');
      await a.page.route(t.server.url, async (route) => {
        if (!route.request().postData()?.includes('"DeleteAccount"')) return route.fallback();
        const response = await route.fetch();
        await aSocketClosed;
        await route.fulfill({ response });
      });
      await a.deleteAccount(PASSWORD);
      await a.signInHeading.waitFor(UI_TIMEOUT);
      expect(await a.status.textContent()).toContain('Your account was deleted.');
      expect(await a.status.textContent()).not.toContain(SIGNED_OUT_NOTICE);
      expect(await a.page.evaluate('sessionStorage.length')).toBe(0);
      await expectSignedOut(b, LIVE_TIMEOUT);
      expect(await t.db.query('select 1 from users where email = $1', [email])).toEqual([]);

      expect(devices.foreignRequests()).toEqual([]);
    } finally {
      await devices.close();
    }
  });
});
