import type { BrowserContextOptions } from 'playwright-core';
import { expect, it } from 'vitest';
import { GraphQLRequestError, LoginDocument, createClient } from '../../sdk';
import { describeWithChromium, saveScreenshot, useChromium } from '../helpers/browser';
import { LIVE_TIMEOUT, UI_TIMEOUT, expectSignedOut, signInOnBoth, useDeviceManagerApp, type DeviceManagerPage } from '../helpers/device-manager-app';
import { CHROME_MAC, SAFARI_IPHONE, useTestServer } from '../helpers/fixture';
import { PASSWORD, uniqueEmail } from '../helpers/operations';

/**
 * Addresses the shipped GeoLite2 database is sure of: a Google IPv6 front end in Frankfurt, heise.de
 * (the country only), Google's public DNS. TEST-NET-2 (198.51.100.0/24) is in no database: no location.
 */
const FRANKFURT = { ip: '2a00:1450:4001:80b::200e', place: 'Frankfurt am Main, Germany' };
const GERMANY = { ip: '193.99.144.80', place: 'Germany' };
const UNITED_STATES = { ip: '8.8.8.8', place: 'United States' };
const unlocated = (n: number) => `198.51.100.${n}`;

/** A browser context whose every request, the app's calls to the API included, says it comes from `ip`. */
const from = (ip: string): BrowserContextOptions => ({ extraHTTPHeaders: { 'x-forwarded-for': ip } });

/** A line of the log as the panel shows it, for an event of the last minute. */
const line = (...parts: string[]) => [...parts, 'just now'].join(' · ');

describeWithChromium('the React device manager example: where each device is, and the security log', () => {
  // The server takes each client's address from X-Forwarded-For, as behind one proxy.
  const t = useTestServer({ TRUST_PROXY: '1' });
  const chromium = useChromium();
  const app = useDeviceManagerApp(t);

  /** Another device of the user, over the API from `ip`: the SDK's client, as a script or a phone app would. */
  const apiClient = (ip: string, userAgent = CHROME_MAC) => createClient({ url: t.server.url, headers: { 'user-agent': userAgent, 'x-forwarded-for': ip } });

  async function wrongPassword(email: string, ip: string): Promise<void> {
    const attempt = apiClient(ip).request(LoginDocument, { input: { email, password: 'not the password' } });
    await expect(attempt).rejects.toBeInstanceOf(GraphQLRequestError);
    await expect(attempt).rejects.toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' } }] });
  }

  async function expectActivity(device: DeviceManagerPage, lines: string[], timeout = UI_TIMEOUT): Promise<void> {
    await expect.poll(() => device.activityLines(), timeout).toEqual(lines);
  }

  it('shows where each device is under its name, and the log line by line, newest first; a sign-in elsewhere shows up by itself', async () => {
    const devices = await app.openTwoDevices(chromium.browser, { a: from(FRANKFURT.ip), b: from(GERMANY.ip) });
    const { a, b } = devices;
    try {
      const email = await signInOnBoth(a, b, 'olivia');

      // Each row has its own address (the header reached the API) and its own place, on both devices.
      for (const device of [a, b]) {
        const laptop = device.device('Firefox 132 on Linux');
        const phone = device.device('Safari 17 on iOS');
        expect(await laptop.getByText(FRANKFURT.place, { exact: true }).count()).toBe(1);
        expect(await laptop.textContent()).toContain(FRANKFURT.ip);
        expect(await phone.getByText(GERMANY.place, { exact: true }).count()).toBe(1);
        expect(await phone.textContent()).toContain(GERMANY.ip);
        expect(await phone.textContent()).not.toContain('Frankfurt');
      }
      await saveScreenshot(a.page, 'device-manager-a-locations');

      const signedIn = [
        // B is a new device for this user (another browser and OS): the server queued an email.
        line('New-device email sent', 'Safari 17 on iOS', GERMANY.ip, GERMANY.place),
        line('New sign-in', 'Safari 17 on iOS', GERMANY.ip, GERMANY.place),
        line('New sign-in', 'Firefox 132 on Linux', FRANKFURT.ip, FRANKFURT.place),
      ];
      await expectActivity(a, signedIn);
      await expectActivity(b, signedIn);
      await b.page.getByRole('heading', { name: 'Recent security activity' }).scrollIntoViewIfNeeded();
      await saveScreenshot(b.page, 'device-manager-b-activity');
      expect(await a.button('Show more').count()).toBe(0);

      // Someone with the email but not the password, from elsewhere; then A logs B out.
      await wrongPassword(email, UNITED_STATES.ip);
      await a.button('Log out Safari 17 on iOS').click();
      await expectSignedOut(b, LIVE_TIMEOUT);
      const loggedOut = [
        line('Signed out (Logged out)', 'Safari 17 on iOS', 'by Firefox 132 on Linux', FRANKFURT.ip, FRANKFURT.place),
        line('Wrong password', 'Chrome 130 on macOS', UNITED_STATES.ip, UNITED_STATES.place),
        ...signedIn,
      ];
      await expectActivity(a, loggedOut);

      // B signs in again: A lists it without a click, from its socket's LOGIN event. The same
      // device from the same country as before: no email this time.
      await b.signIn(email);
      await b.expectDeviceCount(2);
      await expectActivity(a, [line('New sign-in', 'Safari 17 on iOS', GERMANY.ip, GERMANY.place), ...loggedOut], LIVE_TIMEOUT);
      await a.expectDeviceCount(2);
      await a.page.getByRole('heading', { name: 'Recent security activity' }).scrollIntoViewIfNeeded();
      await saveScreenshot(a.page, 'device-manager-a-activity');

      expect(devices.foreignRequests()).toEqual([]);
    } finally {
      await devices.close();
    }
  });

  it('loads older events with "Show more" after the last one shown, and keeps them through live refetches: no gap, no duplicate', async () => {
    const devices = await app.openTwoDevices(chromium.browser, { a: from(FRANKFURT.ip), b: from(GERMANY.ip) });
    const { a } = devices;
    try {
      const email = uniqueEmail('peggy');
      await a.register(email);
      await a.live.waitFor(UI_TIMEOUT);
      const registered = line('New sign-in', 'Firefox 132 on Linux', FRANKFURT.ip, FRANKFURT.place);
      await expectActivity(a, [registered]);

      // 23 wrong passwords, one after the other, each from its own address: 23 lines to tell apart.
      const attempts = Array.from({ length: 23 }, (_, index) => index + 1);
      for (const n of attempts) await wrongPassword(email, unlocated(n));
      const failed = attempts.map((n) => line('Wrong password', 'Chrome 130 on macOS', unlocated(n))).reverse();

      // A sign-in from a Mac: its LOGIN event refetches A's first page.
      await apiClient(UNITED_STATES.ip).request(LoginDocument, { input: { email, password: PASSWORD } });
      const mac = [
        line('New-device email sent', 'Chrome 130 on macOS', UNITED_STATES.ip, UNITED_STATES.place),
        line('New sign-in', 'Chrome 130 on macOS', UNITED_STATES.ip, UNITED_STATES.place),
      ];
      const log = [...mac, ...failed, registered];
      expect(log).toHaveLength(26);
      await expectActivity(a, log.slice(0, 10), LIVE_TIMEOUT);

      const showMore = a.button('Show more');
      await showMore.click();
      await expectActivity(a, log.slice(0, 20));

      // A sign-in from an iPhone while two pages are shown: the first page is fetched again, and
      // the second stays under it.
      await apiClient(GERMANY.ip, SAFARI_IPHONE).request(LoginDocument, { input: { email, password: PASSWORD } });
      const iphone = [
        line('New-device email sent', 'Safari 17 on iOS', GERMANY.ip, GERMANY.place),
        line('New sign-in', 'Safari 17 on iOS', GERMANY.ip, GERMANY.place),
      ];
      await expectActivity(a, [...iphone, ...log.slice(0, 20)], LIVE_TIMEOUT);

      // The rest, from the last line shown: six more, and no more button.
      await showMore.click();
      await expectActivity(a, [...iphone, ...log]);
      await showMore.waitFor({ state: 'detached', ...UI_TIMEOUT });

      // A reload starts over from the newest page.
      await a.page.reload();
      await expectActivity(a, [...iphone, ...log].slice(0, 10));

      expect(devices.foreignRequests()).toEqual([]);
    } finally {
      await devices.close();
    }
  });

  it('lists a password change made here, with the wrong current password tried before it, once the form reports it', async () => {
    const devices = await app.openTwoDevices(chromium.browser, { a: from(FRANKFURT.ip), b: from(GERMANY.ip) });
    const { a } = devices;
    try {
      await a.register(uniqueEmail('quentin'));
      await a.live.waitFor(UI_TIMEOUT);
      const laptop = ['Firefox 132 on Linux', FRANKFURT.ip, FRANKFURT.place] as const;
      await expectActivity(a, [line('New sign-in', ...laptop)]);

      await a.changePassword('not the password', `${PASSWORD} but new`);
      await expect.poll(() => a.passwordForm.alert.textContent(), UI_TIMEOUT).toBe('Your current password is incorrect.');
      // No other device, so no sign-out and no live event: only the form's own refetch shows the change.
      await a.changePassword(PASSWORD, `${PASSWORD} but new`);
      await expect.poll(() => a.passwordForm.status.textContent(), UI_TIMEOUT).toBe('Password changed. No other device was signed in.');
      await expectActivity(a, [line('Password changed', ...laptop), line('Wrong password', ...laptop), line('New sign-in', ...laptop)]);

      expect(devices.foreignRequests()).toEqual([]);
    } finally {
      await devices.close();
    }
  });
});
