import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useTestServer, useTestServerOn } from '../helpers/fixture';
import type { GraphQLClient } from '../helpers/graphql-client';
import { LOGOUT, LOGOUT_ALL, LOGOUT_DEVICE, logInUser, registerUser, uniqueEmail } from '../helpers/operations';
import { subscriptionClients, type SubscriptionOptions } from '../helpers/subscription-client';
import { TEST_JWT_SECRET } from '../helpers/test-server';

/**
 * Issue 14: a 4401 close says why, with the reason codes an HTTP request would get
 * (extensions.reason, and a revoked login's revokedReason).
 */
const t = useTestServer();

const onDevice = (api: GraphQLClient, agent: string) => api.withHeaders({ 'user-agent': agent });
const nowSeconds = () => Math.floor(Date.now() / 1000);
const sign = (claims: object, secret = TEST_JWT_SECRET) => jwt.sign(claims, secret, { algorithm: 'HS256' });

const clients = subscriptionClients();
afterEach(() => clients.closeAll(t.server));

/** Opens a subscription that connection_init refuses: 4401 with this reason, no event, nothing left open. */
async function expectRefused(options: SubscriptionOptions, reason: string) {
  const subscription = clients.open(t.server.url, options);
  const closed = await subscription.closed;
  expect({ code: closed.code, reason: closed.reason }).toEqual({ code: 4401, reason });
  expect(subscription.events).toEqual([]);
  expect(t.server.liveStatus().connections).toBe(0);
}

describe('connection_init refused', () => {
  it('without a token: "Login required (LOGIN_REQUIRED)"', async () => {
    await expectRefused({ connectionParams: {} }, 'Login required (LOGIN_REQUIRED)');
    await expectRefused({ connectionParams: { authorization: '' } }, 'Login required (LOGIN_REQUIRED)');
  });

  describe('with a token that is no session: "Session ended (INVALID_TOKEN)"', () => {
    const invalid: Array<[string, (user: Awaited<ReturnType<typeof registerUser>>, other: Awaited<ReturnType<typeof registerUser>>) => string]> = [
      ['no Bearer scheme', (user) => user.token],
      ['not a JWT', () => 'Bearer not.a.jwt'],
      ['a forged signature', (user) => `Bearer ${sign({ sub: user.user.id, sid: user.login.id, iat: nowSeconds(), exp: nowSeconds() + 3600 }, 'another-secret-that-is-also-32-characters')}`],
      ['a tampered token', (user) => `Bearer ${user.token.slice(0, -4)}${user.token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`],
      ['an unknown login', (user) => `Bearer ${sign({ sub: user.user.id, sid: randomUUID(), iat: nowSeconds(), exp: nowSeconds() + 3600 })}`],
      ['the login of another user', (user, other) => `Bearer ${sign({ sub: user.user.id, sid: other.login.id, iat: nowSeconds(), exp: nowSeconds() + 3600 })}`],
    ];
    it.each(invalid)('%s', async (_, authorization) => {
      const user = await registerUser(t.api);
      const other = await registerUser(t.api);
      await expectRefused({ connectionParams: { authorization: authorization(user, other) } }, 'Session ended (INVALID_TOKEN)');
    });
  });

  it.each([
    ['logout', LOGOUT, 'Session ended (SESSION_REVOKED: LOGOUT)'],
    ['logoutAll', LOGOUT_ALL, 'Session ended (SESSION_REVOKED: LOGOUT_ALL)'],
  ])('with the token of a login revoked by %s: "%s"', async (_, mutation, reason) => {
    const { token } = await registerUser(t.api);
    await t.api.withToken(token).ok(mutation);
    await expectRefused({ token }, reason);
  });

  it('with the token of a login revoked by logoutDevice: "Session ended (SESSION_REVOKED: LOGOUT)"', async () => {
    const email = uniqueEmail();
    const laptop = await registerUser(onDevice(t.api, 'laptop/1'), email);
    const phone = await logInUser(onDevice(t.api, 'phone/1'), email);
    await t.api.withToken(laptop.token).ok(LOGOUT_DEVICE, { variables: { loginId: phone.login.id } });
    await expectRefused({ token: phone.token }, 'Session ended (SESSION_REVOKED: LOGOUT)');
  });

  describe('with the token of a login that ended with time', () => {
    afterEach(() => vi.useRealTimers());

    it('"Session ended (SESSION_EXPIRED)", once the clock is past its expiresAt', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date('2031-07-01T00:00:00.000Z'));
      const { token, expiresAt } = await registerUser(t.api);
      vi.setSystemTime(new Date(new Date(expiresAt).getTime() + 1000));
      await expectRefused({ token }, 'Session ended (SESSION_EXPIRED)');
    });

    it('"Session ended (SESSION_REVOKED: IDLE_TIMEOUT)" for a login unused past SESSION_IDLE_TIMEOUT (14 days by default)', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date('2031-08-01T00:00:00.000Z'));
      const { token, expiresAt } = await registerUser(t.api);
      // 15 days unused: past 14 days and the 60 s write interval, well within its 30-day lifetime.
      const later = Date.now() + 15 * 24 * 60 * 60_000;
      expect(later).toBeLessThan(Date.parse(expiresAt));
      vi.setSystemTime(new Date(later));
      await expectRefused({ token }, 'Session ended (SESSION_REVOKED: IDLE_TIMEOUT)');
    });
  });
});

describe('a connected socket whose login ends', () => {
  it('logoutDevice: its REVOKED event, then "Session ended (SESSION_REVOKED: LOGOUT)"', async () => {
    const email = uniqueEmail();
    const laptop = await registerUser(onDevice(t.api, 'laptop/1'), email);
    const phone = await logInUser(onDevice(t.api, 'phone/1'), email);
    const onPhone = await clients.subscribe(t.server, { token: phone.token }, 1);

    await t.api.withToken(laptop.token).ok(LOGOUT_DEVICE, { variables: { loginId: phone.login.id } });
    const closed = await onPhone.closed;
    expect({ code: closed.code, reason: closed.reason }).toEqual({ code: 4401, reason: 'Session ended (SESSION_REVOKED: LOGOUT)' });
    expect(onPhone.events).toEqual([
      expect.objectContaining({ kind: 'REVOKED', login: expect.objectContaining({ id: phone.login.id, current: true, revokedReason: 'LOGOUT' }) }),
    ]);
    expect(onPhone.errors).toEqual([]);
  });

  it('logoutAll: each socket gets its REVOKED event, then "Session ended (SESSION_REVOKED: LOGOUT_ALL)"', async () => {
    const email = uniqueEmail();
    const laptop = await registerUser(onDevice(t.api, 'laptop/1'), email);
    const phone = await logInUser(onDevice(t.api, 'phone/1'), email);
    const onLaptop = await clients.subscribe(t.server, { token: laptop.token }, 1);
    const onPhone = await clients.subscribe(t.server, { token: phone.token }, 2);

    await t.api.withToken(laptop.token).ok(LOGOUT_ALL);
    for (const [subscription, own] of [[onLaptop, laptop], [onPhone, phone]] as const) {
      const closed = await subscription.closed;
      expect({ code: closed.code, reason: closed.reason }).toEqual({ code: 4401, reason: 'Session ended (SESSION_REVOKED: LOGOUT_ALL)' });
      expect(subscription.events.at(-1)).toMatchObject({ kind: 'REVOKED', login: { id: own.login.id, current: true, revokedReason: 'LOGOUT_ALL' } });
    }
  });

  describe('its token expires (JWT_TTL=2s)', () => {
    const shortLived = useTestServerOn(t, { JWT_TTL: '2s' });
    afterEach(() => clients.closeAll(shortLived.server));

    it('its REVOKED event (at its expiry), then "Session ended (SESSION_EXPIRED)"', async () => {
      const { token, login, expiresAt } = await registerUser(shortLived.api);
      const subscription = await clients.subscribe(shortLived.server, { token }, 1);
      const closed = await subscription.closed;
      expect({ code: closed.code, reason: closed.reason }).toEqual({ code: 4401, reason: 'Session ended (SESSION_EXPIRED)' });
      expect(subscription.events).toEqual([
        { kind: 'REVOKED', at: expiresAt, login: expect.objectContaining({ id: login.id, current: true, revokedAt: null }) },
      ]);
    });
  });
});
