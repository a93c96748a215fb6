import { afterEach, describe, expect, it, vi } from 'vitest';
import { CHROME_MAC, FIREFOX_LINUX, useTestServer, useTestServerOn, type ServerFixture } from '../helpers/fixture';
import type { GraphQLClient, GraphQLResponse } from '../helpers/graphql-client';
import { LOGIN_FIELDS, ME, logInUser, registerUser, uniqueEmail } from '../helpers/operations';
import { subscriptionClients } from '../helpers/subscription-client';

/**
 * Issue 14: SESSION_IDLE_TIMEOUT. With 2s, lastSeenAt is written at most every 500 ms, so an unused
 * login ends 2.5 s after its stored lastSeenAt (never before 2 s after its last use), or at its
 * expiresAt if that comes first. The clock is moved (the server reads JavaScript's Date), never slept on.
 */
const t = useTestServer({ SESSION_IDLE_TIMEOUT: '2s' });
const IDLE_SPAN_MS = 2_000 + 500;

const MY_LOGINS = `query MyLogins($includeRevoked: Boolean!) {
  myLogins(includeRevoked: $includeRevoked) { ${LOGIN_FIELDS} idleExpiresAt }
}`;

interface IdleLoginView {
  id: string;
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  idleExpiresAt: string | null;
  revokedAt: string | null;
  revokedReason: string | null;
}

const onDevice = (api: GraphQLClient, agent: string) => api.withHeaders({ 'user-agent': agent });
const iso = (ms: number) => new Date(ms).toISOString();

/** Stops the clock at `ms` (the server's clock too: it runs in this process); real timers keep running. */
function clockAt(ms: number): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(ms));
}

async function myLogins(api: GraphQLClient, token: string, includeRevoked = true): Promise<IdleLoginView[]> {
  return (await api.ok<{ myLogins: IdleLoginView[] }>(MY_LOGINS, { token, variables: { includeRevoked } })).myLogins;
}

async function loginOf(api: GraphQLClient, token: string, loginId: string): Promise<IdleLoginView> {
  const login = (await myLogins(api, token)).find((candidate) => candidate.id === loginId);
  if (!login) throw new Error(`login ${loginId} is not listed`);
  return login;
}

/** Waits for the off-request-path lastSeenAt write of a use at `ms` to land. */
async function lastSeenLanded(api: GraphQLClient, token: string, loginId: string, ms: number): Promise<void> {
  await expect.poll(async () => (await loginOf(api, token, loginId)).lastSeenAt, { timeout: 5_000, interval: 20 }).toBe(iso(ms));
}

function rejection(response: GraphQLResponse<unknown>) {
  expect(response.errors).toHaveLength(1);
  return { status: response.status, extensions: response.errors![0]!.extensions };
}

const idledOut = { status: 401, extensions: { code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED', revokedReason: 'IDLE_TIMEOUT' } };

async function revocationRow(fixture: ServerFixture, loginId: string) {
  const [row] = await fixture.db.query<{ revoked_at: Date | null; revoked_reason: string | null }>(
    'select revoked_at, revoked_reason from user_logins where id = $1',
    [loginId],
  );
  return row;
}

afterEach(() => vi.useRealTimers());

describe('SESSION_IDLE_TIMEOUT=2s', () => {
  it('refuses a login left unused for 3 s (SESSION_REVOKED, IDLE_TIMEOUT); another login of the user, used since, lists it so', async () => {
    const start = Date.parse('2031-01-01T00:00:00.000Z');
    clockAt(start);
    const email = uniqueEmail('idle');
    const unused = await registerUser(onDevice(t.api, FIREFOX_LINUX), email);
    clockAt(start + 2_000);
    const used = await logInUser(onDevice(t.api, CHROME_MAC), email);

    clockAt(start + 3_000);
    expect(rejection(await t.api.withToken(unused.token).request(ME))).toEqual(idledOut);
    // It stays revoked; it does not come back.
    expect(rejection(await t.api.withToken(unused.token).request(ME))).toEqual(idledOut);

    expect(await t.api.withToken(used.token).ok(ME)).toEqual({ me: used.user });
    expect(await loginOf(t.api, used.token, unused.login.id)).toMatchObject({
      revokedReason: 'IDLE_TIMEOUT',
      revokedAt: iso(start + 3_000),
    });
    expect((await myLogins(t.api, used.token, false)).map((login) => login.id)).toEqual([used.login.id]);
  });

  it('idleExpiresAt is lastSeenAt + 2.5 s, slides with each use written, and the login ends exactly then', async () => {
    const start = Date.parse('2031-02-01T00:00:00.000Z');
    clockAt(start);
    const { token, login, user } = await registerUser(t.api);
    expect(await loginOf(t.api, token, login.id)).toMatchObject({ lastSeenAt: iso(start), idleExpiresAt: iso(start + IDLE_SPAN_MS) });

    // 2.499 s unused is within the timeout (and its interval): accepted, and that use is written down.
    clockAt(start + IDLE_SPAN_MS - 1);
    expect(await t.api.withToken(token).ok(ME)).toEqual({ me: user });
    await lastSeenLanded(t.api, token, login.id, start + IDLE_SPAN_MS - 1);
    const slid = await loginOf(t.api, token, login.id);
    expect(slid.idleExpiresAt).toBe(iso(start + 2 * IDLE_SPAN_MS - 1));
    expect(new Date(slid.idleExpiresAt!).getTime()).toBe(new Date(slid.lastSeenAt).getTime() + IDLE_SPAN_MS);

    clockAt(start + 2 * IDLE_SPAN_MS - 1);
    expect(rejection(await t.api.withToken(token).request(ME))).toEqual(idledOut);
    expect(await revocationRow(t, login.id)).toEqual({ revoked_at: new Date(start + 2 * IDLE_SPAN_MS - 1), revoked_reason: 'IDLE_TIMEOUT' });
  });

  describe('the periodic sweep', () => {
    const clients = subscriptionClients();
    afterEach(() => clients.closeAll(t.server));

    it("revokes an idle login with no request from it: its subscriber gets REVOKED (IDLE_TIMEOUT), then 4401", async () => {
      const start = Date.parse('2031-03-01T00:00:00.000Z');
      clockAt(start);
      const email = uniqueEmail('swept');
      const idle = await registerUser(onDevice(t.api, FIREFOX_LINUX), email);
      const onIdle = await clients.subscribe(t.server, { token: idle.token }, 1);
      clockAt(start + 2_000);
      const active = await logInUser(onDevice(t.api, CHROME_MAC), email);
      const onActive = await clients.subscribe(t.server, { token: active.token }, 2);

      // Past the idle login's deadline (start + 2.5 s), not the active one's (start + 4.5 s). Nothing
      // uses the idle login's token from here on: only the sweep (every second) can end it.
      clockAt(start + 3_000);
      const closed = await onIdle.closed;
      expect(closed).toMatchObject({ code: 4401, reason: 'Session ended (SESSION_REVOKED: IDLE_TIMEOUT)' });
      const last = onIdle.events.at(-1);
      expect(last).toMatchObject({
        kind: 'REVOKED',
        at: iso(start + 3_000),
        login: { id: idle.login.id, current: true, revokedAt: iso(start + 3_000), revokedReason: 'IDLE_TIMEOUT' },
      });
      expect(onIdle.errors).toEqual([]);

      const [heard] = await onActive.waitForEvents(1);
      expect(heard).toMatchObject({ kind: 'REVOKED', login: { id: idle.login.id, current: false, revokedReason: 'IDLE_TIMEOUT' } });
      expect(onActive.isClosed).toBe(false);
      expect(await loginOf(t.api, active.token, idle.login.id)).toMatchObject({ revokedReason: 'IDLE_TIMEOUT', revokedAt: iso(start + 3_000) });
      expect(rejection(await t.api.withToken(idle.token).request(ME))).toEqual(idledOut);
    });
  });

  describe('a login used every 250 ms, with JWT_TTL=8s', () => {
    const shortLived = useTestServerOn(t, { SESSION_IDLE_TIMEOUT: '2s', JWT_TTL: '8s' });
    const STEP_MS = 250;
    const TTL_MS = 8_000;

    it('never idles (alive well past 2 s, up to its expiry; idleExpiresAt capped at expiresAt), then ends with SESSION_EXPIRED', async () => {
      const start = Date.parse('2031-04-01T00:00:00.000Z');
      clockAt(start);
      const { token, login, expiresAt } = await registerUser(shortLived.api);
      expect(expiresAt).toBe(iso(start + TTL_MS));
      const api = shortLived.api.withToken(token);

      let written = start;
      for (let at = start + STEP_MS; at < start + TTL_MS; at += STEP_MS) {
        clockAt(at);
        await api.ok(ME);
        // A use at least an interval (500 ms) after the stored lastSeenAt is written: wait for it, so
        // that the next steps slide from it.
        if (at - written >= 500) {
          await lastSeenLanded(shortLived.api, token, login.id, at);
          written = at;
          // Its deadline slides with each written use, but never past its expiry (from 5.5 s on).
          expect(await loginOf(shortLived.api, token, login.id)).toMatchObject({
            revokedAt: null,
            idleExpiresAt: iso(Math.min(at + IDLE_SPAN_MS, start + TTL_MS)),
          });
        }
      }
      // Last seen at 7.5 s: its idle deadline would be 10 s, past its expiry at 8 s.
      expect(await loginOf(shortLived.api, token, login.id)).toMatchObject({
        lastSeenAt: iso(start + 7_500),
        expiresAt,
        idleExpiresAt: expiresAt,
        revokedAt: null,
      });

      clockAt(start + TTL_MS);
      expect(rejection(await api.request(ME))).toEqual({ status: 401, extensions: { code: 'UNAUTHENTICATED', reason: 'SESSION_EXPIRED' } });
      expect(await revocationRow(shortLived, login.id)).toEqual({ revoked_at: null, revoked_reason: null });
    });
  });
});

describe('SESSION_IDLE_TIMEOUT=1h: the session check revokes an idle login itself', () => {
  // The sweep runs at start and then every 5 minutes (a quarter of the timeout, at most 5 min): not
  // within this test, so what ends the login is the request's own session check.
  const hourly = useTestServer({ SESSION_IDLE_TIMEOUT: '1h' });

  it('at lastSeenAt + 1 h + 60 s (the write interval) its next request is refused, and the login revoked by it', async () => {
    const start = Date.parse('2031-05-01T00:00:00.000Z');
    clockAt(start);
    const { token, login } = await registerUser(hourly.api);
    const deadline = start + 60 * 60_000 + 60_000;
    expect(await loginOf(hourly.api, token, login.id)).toMatchObject({ idleExpiresAt: iso(deadline) });

    clockAt(deadline);
    expect(await revocationRow(hourly, login.id)).toEqual({ revoked_at: null, revoked_reason: null });
    expect(rejection(await hourly.api.withToken(token).request(ME))).toEqual(idledOut);
    expect(await revocationRow(hourly, login.id)).toEqual({ revoked_at: new Date(deadline), revoked_reason: 'IDLE_TIMEOUT' });
  });
});

describe('SESSION_IDLE_TIMEOUT=0: off', () => {
  // A database of its own: the 2 s servers of this file would sweep its logins when the clock moves.
  const off = useTestServer({ SESSION_IDLE_TIMEOUT: '0' });

  it('idleExpiresAt is null, and a login unused for 29 days (within its 30-day lifetime) still works', async () => {
    const start = Date.parse('2031-06-01T00:00:00.000Z');
    clockAt(start);
    const { token, login, expiresAt, user } = await registerUser(off.api);
    expect(await loginOf(off.api, token, login.id)).toMatchObject({ idleExpiresAt: null });

    const later = start + 29 * 24 * 60 * 60_000;
    expect(later).toBeLessThan(Date.parse(expiresAt));
    clockAt(later);
    expect(await off.api.withToken(token).ok(ME)).toEqual({ me: user });
    await lastSeenLanded(off.api, token, login.id, later);
    expect(await loginOf(off.api, token, login.id)).toMatchObject({ revokedAt: null, idleExpiresAt: null });
  });
});
