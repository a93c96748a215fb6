import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CHROME_MAC, FIREFOX_LINUX, SAFARI_IPHONE, useTestServer, useTestServerOn, type ServerFixture } from '../helpers/fixture';
import type { GraphQLClient, GraphQLResponse } from '../helpers/graphql-client';
import { LOGOUT_DEVICE, ME, MY_LOGINS, logInUser, registerUser, uniqueEmail, type AuthPayloadView } from '../helpers/operations';
import { useSmtpInbox, type ReceivedMail, type SmtpInbox } from '../helpers/smtp-inbox';
import { subscriptionClients } from '../helpers/subscription-client';
import type { TestDatabase } from '../helpers/test-database';
import { startTestServer } from '../helpers/test-server';

/**
 * Issue 15: the new-sign-in email, end to end: logins over HTTP, the email through a real SMTP
 * server (smtp-server, parsed with mailparser), its "this wasn't me" link over HTTP and GraphQL, the
 * revoked login's socket over WebSocket, and graphile-worker's jobs in the test database.
 *
 * Every server of a database runs the queue's worker and may send any of its emails, so at most one
 * configuration with emails on is up at a time: the file's base server has them off (it runs no
 * worker), and each describe starts its own configuration beside it.
 */
const mail = useSmtpInbox();
const t = useTestServer({ NEW_DEVICE_ALERTS: 'false' });

/** Firefox 132 on Linux a version later: the same device. */
const FIREFOX_133_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const DAY_MS = 24 * 60 * 60 * 1000;

const EVENTS = `query { mySecurityEvents(first: 50) { edges { node { kind ipAddress userAgent revokedReason login { id } } } } }`;
const LOGOUT_WITH_ALERT_LINK = `mutation LogoutWithAlertLink($token: String!) { logoutWithAlertLink(token: $token) }`;

interface EventNode {
  kind: string;
  ipAddress: string;
  userAgent: string;
  revokedReason: string | null;
  login: { id: string } | null;
}
interface ListedLogin {
  id: string;
  revokedAt: string | null;
  revokedReason: string | null;
}

const onDevice = (api: GraphQLClient, agent: string, forwardedFor?: string) =>
  api.withHeaders({ 'user-agent': agent, ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) });

async function securityLog(api: GraphQLClient, token: string): Promise<EventNode[]> {
  const data = await api.withToken(token).ok<{ mySecurityEvents: { edges: Array<{ node: EventNode }> } }>(EVENTS);
  return data.mySecurityEvents.edges.map((edge) => edge.node);
}

const alertsIn = (log: EventNode[]) => log.filter((event) => event.kind === 'NEW_DEVICE_ALERT').map((event) => event.login?.id);

async function myLogins(api: GraphQLClient, token: string, includeRevoked = false): Promise<ListedLogin[]> {
  return (await api.withToken(token).ok<{ myLogins: ListedLogin[] }>(MY_LOGINS, { variables: { includeRevoked } })).myLogins;
}

/** The email's link, the same in its text and its HTML. */
function linkIn(received: ReceivedMail): { url: string; token: string } {
  const match = /(https?:\/\/\S+\/security\/not-me\?token=([A-Za-z0-9_-]{43}))(?=\s)/.exec(received.text);
  expect(match, received.text).not.toBeNull();
  const [, url, token] = match as unknown as [string, string, string];
  expect(received.html).toContain(`href="${url}"`);
  return { url, token };
}

const originOf = (server: ServerFixture) => new URL(server.server.url).origin;

function openPage(server: ServerFixture, token: string): Promise<Response> {
  return fetch(`${originOf(server)}/security/not-me?token=${encodeURIComponent(token)}`);
}

/** The page's button: a form POST, as a browser sends it. */
function pressButton(server: ServerFixture, token: string, userAgent = SAFARI_IPHONE): Promise<Response> {
  return fetch(`${originOf(server)}/security/not-me`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': userAgent },
    body: new URLSearchParams({ token }).toString(),
  });
}

function logoutWithAlertLink(server: ServerFixture, token: string) {
  return server.api.request<{ logoutWithAlertLink: boolean }>(LOGOUT_WITH_ALERT_LINK, { variables: { token } });
}

function onlyError(response: GraphQLResponse<unknown>) {
  expect(response.errors).toHaveLength(1);
  return { status: response.status, extensions: response.errors![0]!.extensions };
}

const revokedBy = (revokedReason: string) => ({ status: 401, extensions: { code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED', revokedReason } });
const linkRefused = { status: 200, extensions: { code: 'BAD_USER_INPUT', field: 'token' } };

/** The queue's jobs about these logins (graphile-worker's own table: its `jobs` view has no payload). */
async function jobsOf(db: TestDatabase, loginIds: readonly string[]) {
  return db.query<{ attempts: number; last_error: string | null }>(
    `select attempts, last_error from graphile_worker._private_jobs where payload->>'loginId' = any($1::text[])`,
    [loginIds],
  );
}

/**
 * Waits until the jobs of these logins are done: graphile-worker deletes a job once its task
 * succeeded, so nothing is left that could send its email again. Without ids: every job.
 */
async function waitUntilSent(db: TestDatabase, loginIds?: readonly string[]): Promise<void> {
  const pending = async () =>
    loginIds ? (await jobsOf(db, loginIds)).length : Number((await db.query<{ n: string }>('select count(*) as n from graphile_worker._private_jobs'))[0]!.n);
  await expect.poll(pending, { timeout: 15_000, interval: 50 }).toBe(0);
}

/** The login a link names, from its token's SHA-256 (the only form the server keeps). */
async function loginOfLink(db: TestDatabase, token: string): Promise<string | undefined> {
  const hash = createHash('sha256').update(token, 'utf8').digest('hex');
  const [row] = await db.query<{ login_id: string }>('select login_id from alert_links where token_hash = $1', [hash]);
  return row?.login_id;
}

interface NewDeviceLogin {
  email: string;
  home: AuthPayloadView;
  away: AuthPayloadView;
  received: ReceivedMail;
  link: { url: string; token: string };
}

/** A user registered on a Linux laptop logs in on a Mac, and gets the one email about it. */
async function newDeviceLogin(server: ServerFixture, inbox: SmtpInbox, prefix: string): Promise<NewDeviceLogin> {
  const email = uniqueEmail(prefix);
  const home = await registerUser(onDevice(server.api, FIREFOX_LINUX), email);
  const away = await logInUser(onDevice(server.api, CHROME_MAC), email);
  const [received] = await inbox.waitForMail(email);
  await waitUntilSent(server.db, [away.login.id]);
  expect(inbox.mailTo(email)).toHaveLength(1);
  return { email, home, away, received: received!, link: linkIn(received!) };
}

describe('new-sign-in emails (PUBLIC_URL unset, TRUST_PROXY=1)', () => {
  const s = useTestServerOn(t, mail.env({ TRUST_PROXY: '1' }));
  const clients = subscriptionClients();
  afterEach(() => clients.closeAll(s.server));

  describe('which logins are emailed about', () => {
    it('a login from a new device: one email to the user, with device, IP, location, time and a link to this server; the login does not wait for it', async () => {
      const email = uniqueEmail('alert');
      const home = await registerUser(onDevice(s.api, FIREFOX_LINUX), email);

      // Every delivery waits at the inbox until released: the login answers all the same.
      const release = mail.hold();
      let away: AuthPayloadView;
      try {
        away = await logInUser(onDevice(s.api, CHROME_MAC), email);
        expect(mail.mailTo(email)).toEqual([]);
        await expect.poll(() => mail.held, { timeout: 10_000, interval: 20 }).toBe(1);
        expect(await s.api.withToken(away.token).ok(ME)).toEqual({ me: home.user });
      } finally {
        release();
      }

      const [received] = await mail.waitForMail(email);
      await waitUntilSent(s.db, [away.login.id]);
      expect(mail.mailTo(email)).toHaveLength(1);

      expect(received!.envelope).toEqual({ from: 'no-reply@localhost', to: [email] });
      expect(received!.to).toEqual([email]);
      expect(received!.subject).toBe('New sign-in to your account');
      const { createdAt } = away.login;
      for (const body of [received!.text, received!.html]) {
        expect(body).toContain('Chrome 130 on macOS');
        expect(body).toContain('127.0.0.1');
        expect(body).toContain('Unknown location');
        expect(body).toContain(createdAt);
        expect(body).toMatch(/\w+day, \d{1,2} \w+ \d{4} at \d{2}:\d{2} UTC/);
      }
      expect(received!.text).toMatch(/^Device: +Chrome 130 on macOS$/m);
      expect(received!.text).toMatch(/^IP address: +127\.0\.0\.1$/m);
      expect(received!.text).toMatch(/^Location: +Unknown location$/m);
      expect(received!.text).toMatch(new RegExp(`^Time: +.+ UTC \\(${createdAt.replace(/\./g, '\\.')}\\)$`, 'm'));

      // PUBLIC_URL unset: the link goes to the server's own origin.
      const { url } = linkIn(received!);
      const port = new URL(s.server.url).port;
      expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/security/not-me\\?token=[A-Za-z0-9_-]{43}$`));
      expect(await loginOfLink(s.db, linkIn(received!).token)).toBe(away.login.id);

      expect(alertsIn(await securityLog(s.api, home.token))).toEqual([away.login.id]);
    });

    it('registration, and logins from a known device (same browser and OS, any version or IP), send none', async () => {
      const email = uniqueEmail('known');
      const home = await registerUser(onDevice(s.api, FIREFOX_LINUX), email);
      const upgraded = await logInUser(onDevice(s.api, FIREFOX_133_LINUX), email);
      const elsewhere = await logInUser(onDevice(s.api.fromIp('127.0.0.2'), FIREFOX_LINUX), email);
      const again = await logInUser(onDevice(s.api, FIREFOX_LINUX), email);

      // The email is queued in the login's transaction with its NEW_DEVICE_ALERT event: none of them has one.
      const log = await securityLog(s.api, again.token);
      expect(log.filter((event) => event.kind === 'LOGIN').map((event) => event.login?.id).sort()).toEqual(
        [home.login.id, upgraded.login.id, elsewhere.login.id, again.login.id].sort(),
      );
      expect(alertsIn(log)).toEqual([]);

      // Then a new device: its email is the only one the account ever gets.
      const away = await logInUser(onDevice(s.api, CHROME_MAC), email);
      const [received] = await mail.waitForMail(email);
      await waitUntilSent(s.db, [home.login.id, upgraded.login.id, elsewhere.login.id, again.login.id, away.login.id]);
      expect(mail.mailTo(email)).toHaveLength(1);
      expect(received!.text).toContain('Chrome 130 on macOS');
      expect(await loginOfLink(s.db, linkIn(received!).token)).toBe(away.login.id);
      expect(alertsIn(await securityLog(s.api, again.token))).toEqual([away.login.id]);
    });

    it('behind a proxy (X-Forwarded-For): the same browser from a new country is emailed about, with that IP and country', async () => {
      const email = uniqueEmail('country');
      const home = await registerUser(onDevice(s.api, FIREFOX_LINUX, '193.99.144.80'), email);
      const sameCountry = await logInUser(onDevice(s.api, FIREFOX_133_LINUX, '193.99.144.80'), email);
      expect(alertsIn(await securityLog(s.api, home.token))).toEqual([]);

      const abroad = await logInUser(onDevice(s.api, FIREFOX_LINUX, '8.8.8.8'), email);
      const [received] = await mail.waitForMail(email);
      await waitUntilSent(s.db, [home.login.id, sameCountry.login.id, abroad.login.id]);
      expect(mail.mailTo(email)).toHaveLength(1);
      for (const body of [received!.text, received!.html]) {
        expect(body).toContain('Firefox 132 on Linux');
        expect(body).toContain('8.8.8.8');
        expect(body).toContain('United States (approximate, from the IP address)');
        expect(body).not.toContain('193.99.144.80');
      }
      expect(await loginOfLink(s.db, linkIn(received!).token)).toBe(abroad.login.id);
      expect(alertsIn(await securityLog(s.api, home.token))).toEqual([abroad.login.id]);
    });

    it('a login without a User-Agent is a new device, even beside logins recorded before browser and OS names were kept', async () => {
      const email = uniqueEmail('no-agent');
      const home = await registerUser(onDevice(s.api, FIREFOX_LINUX), email);
      // What the migration that added the names left on the logins made before it.
      await s.db.query(`update user_logins set browser_name = '', os_name = '' where id = $1`, [home.login.id]);

      // node:http (the client's path from a chosen address) sends no User-Agent unless told to.
      const away = await logInUser(s.api.fromIp('127.0.0.1'), email);
      expect(away.login).toMatchObject({ userAgent: '', device: 'Unknown device' });
      const [received] = await mail.waitForMail(email);
      await waitUntilSent(s.db, [away.login.id]);
      expect(mail.mailTo(email)).toHaveLength(1);
      expect(received!.text).toMatch(/^Device: +Unknown device$/m);
      expect(await loginOfLink(s.db, linkIn(received!).token)).toBe(away.login.id);
    });

    it('with NEW_DEVICE_ALERTS=false: no NEW_DEVICE_ALERT event and no email', async () => {
      const email = uniqueEmail('off');
      const home = await registerUser(onDevice(t.api, FIREFOX_LINUX), email);
      const away = await logInUser(onDevice(t.api, CHROME_MAC), email);
      const log = await securityLog(t.api, home.token);
      expect(log.map((event) => [event.kind, event.login?.id])).toEqual(
        expect.arrayContaining([
          ['LOGIN', home.login.id],
          ['LOGIN', away.login.id],
        ]),
      );
      expect(log).toHaveLength(2);

      // A job would be on the database's queue, which the server with emails on works through: once
      // a later login's email is in and the queue is empty, every email there was to send is sent.
      const later = await newDeviceLogin(s, mail, 'after-off');
      expect(later.received.text).toContain('Chrome 130 on macOS');
      await waitUntilSent(s.db);
      expect(mail.mailTo(email)).toEqual([]);
    });
  });

  describe('the link', () => {
    it('GET shows the login and revokes nothing; the button revokes it (NOT_ME): 401, REVOKED then 4401, the security log; then the link is used up', async () => {
      const { home, away, link } = await newDeviceLogin(s, mail, 'not-me');
      const onAway = await clients.subscribe(s.server, { token: away.token }, 1);

      // Opening the link (as a mail scanner would) shows the sign-in and the button, and changes nothing.
      for (let look = 0; look < 2; look += 1) {
        const page = await fetch(link.url);
        expect(page.status).toBe(200);
        expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
        const html = await page.text();
        expect(html).toContain('Chrome 130 on macOS');
        expect(html).toContain('127.0.0.1');
        expect(html).toContain('<form method="post" action="/security/not-me">');
        expect(html).toContain(`<input type="hidden" name="token" value="${link.token}">`);
      }
      expect(await s.api.withToken(away.token).ok(ME)).toEqual({ me: home.user });
      expect((await myLogins(s.api, home.token)).find((login) => login.id === away.login.id)).toMatchObject({ revokedAt: null });
      expect(onAway.isClosed).toBe(false);

      // The button.
      const pressed = await pressButton(s, link.token);
      expect(pressed.status).toBe(200);
      const done = await pressed.text();
      expect(done).toContain('That sign-in has been logged out.');
      expect(done).toContain('Change your password now');

      expect(onlyError(await s.api.withToken(away.token).request(ME))).toEqual(revokedBy('NOT_ME'));
      expect(await onAway.closed).toMatchObject({ code: 4401, reason: 'Session ended (SESSION_REVOKED: NOT_ME)' });
      expect(onAway.events.at(-1)).toMatchObject({ kind: 'REVOKED', login: { id: away.login.id, current: true, revokedReason: 'NOT_ME' } });
      expect(onAway.errors).toEqual([]);

      // The laptop stays signed in, and sees what happened.
      expect(await s.api.withToken(home.token).ok(ME)).toEqual({ me: home.user });
      expect((await myLogins(s.api, home.token, true)).find((login) => login.id === away.login.id)).toMatchObject({
        revokedAt: expect.any(String),
        revokedReason: 'NOT_ME',
      });
      const log = await securityLog(s.api, home.token);
      expect(log[0]).toEqual({ kind: 'LOGIN_REVOKED', ipAddress: '127.0.0.1', userAgent: SAFARI_IPHONE, revokedReason: 'NOT_ME', login: { id: away.login.id } });
      expect(log.map((event) => [event.kind, event.login?.id, event.revokedReason])).toEqual(
        expect.arrayContaining([
          ['NEW_DEVICE_ALERT', away.login.id, null],
          ['LOGIN_REVOKED', away.login.id, 'NOT_ME'],
        ]),
      );

      // Used once: every way of using it again is refused.
      const second = await pressButton(s, link.token);
      expect(second.status).toBe(410);
      expect(await second.text()).toContain('This link no longer works');
      const reopened = await openPage(s, link.token);
      expect(reopened.status).toBe(404);
      expect(await reopened.text()).toContain('This link no longer works');
      expect(onlyError(await logoutWithAlertLink(s, link.token))).toMatchObject(linkRefused);
      expect((await securityLog(s.api, home.token)).filter((event) => event.kind === 'LOGIN_REVOKED')).toHaveLength(1);
    });

    it('logoutWithAlertLink: true for a fresh link (NOT_ME), then BAD_USER_INPUT; the page and button refuse it too', async () => {
      const { home, away, link } = await newDeviceLogin(s, mail, 'mutation');
      expect(await logoutWithAlertLink(s, link.token)).toEqual({ status: 200, data: { logoutWithAlertLink: true } });
      expect(onlyError(await s.api.withToken(away.token).request(ME))).toEqual(revokedBy('NOT_ME'));
      expect(await s.api.withToken(home.token).ok(ME)).toEqual({ me: home.user });

      expect(onlyError(await logoutWithAlertLink(s, link.token))).toMatchObject(linkRefused);
      expect((await openPage(s, link.token)).status).toBe(404);
      expect((await pressButton(s, link.token)).status).toBe(410);
      const revocations = (await securityLog(s.api, home.token)).filter((event) => event.kind === 'LOGIN_REVOKED');
      expect(revocations.map((event) => [event.login?.id, event.revokedReason])).toEqual([[away.login.id, 'NOT_ME']]);
    });

    it('a login already logged out (logoutDevice) before the link is used: the page says so, logoutWithAlertLink answers false, and the reason stays LOGOUT', async () => {
      const { home, away, link } = await newDeviceLogin(s, mail, 'already');
      expect(await s.api.withToken(home.token).ok(LOGOUT_DEVICE, { variables: { loginId: away.login.id } })).toEqual({ logoutDevice: true });

      const page = await openPage(s, link.token);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Already signed out');

      expect(await logoutWithAlertLink(s, link.token)).toEqual({ status: 200, data: { logoutWithAlertLink: false } });
      expect(onlyError(await s.api.withToken(away.token).request(ME))).toEqual(revokedBy('LOGOUT'));
      expect(onlyError(await logoutWithAlertLink(s, link.token))).toMatchObject(linkRefused);
      const revocations = (await securityLog(s.api, home.token)).filter((event) => event.kind === 'LOGIN_REVOKED');
      expect(revocations.map((event) => [event.login?.id, event.revokedReason])).toEqual([[away.login.id, 'LOGOUT']]);
    });

    it('a second sign-in from the new device replaced the first (REPLACED): the link logs out the replacement', async () => {
      const { email, home, away, link } = await newDeviceLogin(s, mail, 'replaced');
      const again = await logInUser(onDevice(s.api, CHROME_MAC), email);
      expect(onlyError(await s.api.withToken(away.token).request(ME))).toEqual(revokedBy('REPLACED'));
      // The same device: no second email.
      await waitUntilSent(s.db, [again.login.id]);
      expect(mail.mailTo(email)).toHaveLength(1);

      const page = await openPage(s, link.token);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('Was this you?');
      expect(html).toContain('Chrome 130 on macOS');

      const pressed = await pressButton(s, link.token);
      expect(pressed.status).toBe(200);
      expect(await pressed.text()).toContain('That sign-in has been logged out.');
      expect(onlyError(await s.api.withToken(again.token).request(ME))).toEqual(revokedBy('NOT_ME'));
      expect(await s.api.withToken(home.token).ok(ME)).toEqual({ me: home.user });
      const history = await myLogins(s.api, home.token, true);
      expect(history.find((login) => login.id === away.login.id)).toMatchObject({ revokedReason: 'REPLACED' });
      expect(history.find((login) => login.id === again.login.id)).toMatchObject({ revokedReason: 'NOT_ME' });
    });

    describe('after 7 days', () => {
      afterEach(() => vi.useRealTimers());

      it('is refused (404, 410, BAD_USER_INPUT), and the login stays signed in', async () => {
        const { home, away, link } = await newDeviceLogin(s, mail, 'expired');
        const received = Date.now();

        // The server runs in this process: its `new Date()` is the test's clock.
        vi.useFakeTimers({ toFake: ['Date'] });
        vi.setSystemTime(received + 7 * DAY_MS - 60_000);
        expect((await openPage(s, link.token)).status).toBe(200);

        vi.setSystemTime(received + 7 * DAY_MS + 1_000);
        const page = await openPage(s, link.token);
        expect(page.status).toBe(404);
        expect(await page.text()).toContain('This link no longer works');
        expect((await pressButton(s, link.token)).status).toBe(410);
        expect(onlyError(await logoutWithAlertLink(s, link.token))).toMatchObject(linkRefused);

        vi.useRealTimers();
        expect(await s.api.withToken(away.token).ok(ME)).toEqual({ me: home.user });
        expect((await myLogins(s.api, home.token)).find((login) => login.id === away.login.id)).toMatchObject({ revokedAt: null });
      });
    });
  });
});

describe('new-sign-in emails with PUBLIC_URL', () => {
  const p = useTestServerOn(t, mail.env({ PUBLIC_URL: 'https://accounts.example.test/' }));

  it('the link starts with PUBLIC_URL (its trailing slash dropped), and its token works on the server', async () => {
    const { link } = await newDeviceLogin(p, mail, 'public-url');
    expect(link.url).toBe(`https://accounts.example.test/security/not-me?token=${link.token}`);
    const page = await openPage(p, link.token);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Chrome 130 on macOS');
  });
});

describe('new-sign-in emails while SMTP is down', () => {
  const down = useSmtpInbox({ listening: false });
  const d = useTestServerOn(t, down.env());

  it('the failed attempt is retried once SMTP is back: the email arrives exactly once, with a working link', { timeout: 90_000 }, async () => {
    const email = uniqueEmail('outage');
    const home = await registerUser(onDevice(d.api, FIREFOX_LINUX), email);
    // The login answers while no SMTP server listens.
    const away = await logInUser(onDevice(d.api, CHROME_MAC), email);
    expect(down.listening).toBe(false);

    await expect
      .poll(async () => (await jobsOf(d.db, [away.login.id]))[0]?.last_error ?? null, { timeout: 20_000, interval: 50 })
      .toMatch(/ECONNREFUSED/);
    const [failed, ...others] = await jobsOf(d.db, [away.login.id]);
    expect(others).toEqual([]);
    expect(failed!.attempts).toBeGreaterThanOrEqual(1);
    expect(down.mail).toEqual([]);

    await down.start();
    const [received] = await down.waitForMail(email, 1, 60_000);
    // Once the job is gone nothing can send it again; only then is "exactly once" final.
    await waitUntilSent(d.db, [away.login.id]);
    expect(down.mailTo(email)).toHaveLength(1);
    expect(down.mail).toHaveLength(1);
    expect(received!.text).toContain('Chrome 130 on macOS');

    // The failed attempt's link was replaced by the delivered one, which works.
    const { token } = linkIn(received!);
    expect(await loginOfLink(d.db, token)).toBe(away.login.id);
    expect(await d.db.query('select 1 from alert_links where login_id = $1', [away.login.id])).toHaveLength(1);
    expect((await openPage(d, token)).status).toBe(200);
    expect(alertsIn(await securityLog(d.api, home.token))).toEqual([away.login.id]);
  });
});

describe('a new-sign-in email the SMTP server refuses for good (550)', () => {
  // A real SMTP server that refuses every recipient: a permanent refusal of this message.
  let refusals = 0;
  const refusing = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      refusals += 1;
      callback(Object.assign(new Error('5.1.1 No such mailbox'), { responseCode: 550 }));
    },
  });
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    port = (refusing.server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => refusing.close(() => resolve())));
  // Read when the server starts, after the port is known.
  const r = useTestServerOn(t, {
    get SMTP_URL() {
      return `smtp://127.0.0.1:${port}`;
    },
  });

  it('is tried once, not retried for days: its job ends at the first refusal', { timeout: 30_000 }, async () => {
    const email = uniqueEmail('refused');
    await registerUser(onDevice(r.api, FIREFOX_LINUX), email);
    const away = await logInUser(onDevice(r.api, CHROME_MAC), email);
    await expect.poll(() => refusals, { timeout: 15_000, interval: 50 }).toBe(1);
    await waitUntilSent(r.db, [away.login.id]);
    expect(refusals).toBe(1);
  });
});

describe('new-sign-in emails with two instances on one database', () => {
  const a = useTestServerOn(t, mail.env());
  const b = useTestServerOn(t, mail.env());

  it('logins spread over both: each email is sent exactly once, by one of them, none lost', { timeout: 60_000 }, async () => {
    const N = 12;
    const logins = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const [first, second] = i % 2 === 0 ? [a, b] : [b, a];
        const email = uniqueEmail(`pair${i}`);
        await registerUser(onDevice(first.api, FIREFOX_LINUX), email);
        const away = await logInUser(onDevice(second.api, i % 4 < 2 ? CHROME_MAC : SAFARI_IPHONE), email);
        return { email, loginId: away.login.id };
      }),
    );
    for (const { email } of logins) await mail.waitForMail(email, 1, 20_000);
    await waitUntilSent(a.db, logins.map((login) => login.loginId));

    const origins = [originOf(a), originOf(b)];
    const linked: string[] = [];
    for (const { email, loginId } of logins) {
      const received = mail.mailTo(email);
      expect(received).toHaveLength(1);
      const { url, token } = linkIn(received[0]!);
      expect(origins).toContain(new URL(url).origin);
      const named = await loginOfLink(a.db, token);
      expect(named).toBe(loginId);
      linked.push(named!);
    }
    expect(new Set(linked).size).toBe(N);
  });
});

describe('a server stopping while its email waits on a stalled SMTP server', () => {
  const stalled = useSmtpInbox();
  const x = useTestServerOn(t, stalled.env());

  it("cancels the send with the job's abort signal: the job fails for a retry, and the next instance delivers it once", { timeout: 90_000 }, async () => {
    const email = uniqueEmail('shutdown');
    await registerUser(onDevice(x.api, FIREFOX_LINUX), email);
    const release = stalled.hold();
    let away: AuthPayloadView;
    try {
      away = await logInUser(onDevice(x.api, CHROME_MAC), email);
      await expect.poll(() => stalled.held, { timeout: 10_000, interval: 20 }).toBe(1);
      // The SMTP server never answers the message: the send ends only when the stop cancels it.
      await x.server.stop();
      expect(stalled.heldAndHungUp).toBe(1);
    } finally {
      release();
    }

    // Failed by the cancellation (not by an SMTP timeout), so retried soon rather than left locked.
    const [job, ...others] = await jobsOf(x.db, [away.login.id]);
    expect(others).toEqual([]);
    expect(job).toMatchObject({ attempts: 1, last_error: expect.stringMatching(/abort/i) });
    expect(stalled.mail).toEqual([]);

    const next = await startTestServer(x.db.url, stalled.env());
    try {
      const [received] = await stalled.waitForMail(email, 1, 30_000);
      await waitUntilSent(x.db, [away.login.id]);
      expect(stalled.mailTo(email)).toHaveLength(1);
      expect(await loginOfLink(x.db, linkIn(received!).token)).toBe(away.login.id);
    } finally {
      await next.stop();
    }
  });
});
