import jwt from 'jsonwebtoken';
import { afterEach, describe, expect, it } from 'vitest';
import { useTestServer, useTestServerOn } from '../helpers/fixture';
import type { GraphQLClient } from '../helpers/graphql-client';
import { LOGOUT, LOGOUT_ALL, LOGOUT_DEVICE, logInUser, registerUser, uniqueEmail } from '../helpers/operations';
import { subscriptionClients, type SubscriptionClient } from '../helpers/subscription-client';
import { TEST_JWT_SECRET } from '../helpers/test-server';

/** The requirement: a revoked login's socket closes within one second, with no client action. */
const REVOKE_TO_CLOSE_LIMIT_MS = 1000;

const onDevice = (api: GraphQLClient, agent: string) => api.withHeaders({ 'user-agent': agent });

/** The server of the tests that need no configuration of their own; the cap and the short TTL have theirs, on its database. */
const t = useTestServer();

/** The REVOKED event of the subscription's own login came last, and then the socket closed with 4401. */
async function expectEndedWithOwnRevocation(subscription: SubscriptionClient, loginId: string, reason: string) {
  const closed = await subscription.closed;
  expect(closed.code).toBe(4401);
  const last = subscription.events.at(-1);
  expect(last).toMatchObject({ kind: 'REVOKED', login: { id: loginId, current: true, revokedReason: reason } });
  expect(last!.at).toBe(last!.login.revokedAt);
  return closed;
}

describe('connection_init: the session check of HTTP', () => {
  const clients = subscriptionClients();
  afterEach(() => clients.closeAll(t.server));

  async function expectRefused(options: Parameters<typeof clients.open>[1]) {
    const subscription = clients.open(t.server.url, options);
    const closed = await subscription.closed;
    expect(closed.code).toBe(4401);
    expect(subscription.events).toEqual([]);
    expect(t.server.liveStatus().connections).toBe(0);
  }

  it('refuses a missing token with 4401 (loginActivity needs a user)', async () => {
    await expectRefused({ connectionParams: {} });
    await expectRefused({ connectionParams: { authorization: '' } });
    await expectRefused({ connectionParams: { authorization: 42 } });
  });

  it('refuses a bad token with 4401: malformed, wrong signature, unknown login', async () => {
    const { token, user } = await registerUser(t.api);
    await expectRefused({ connectionParams: { authorization: token } });
    await expectRefused({ connectionParams: { authorization: 'Bearer not.a.jwt' } });
    await expectRefused({ token: `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}` });
    const unknownLogin = jwt.sign({ sub: user.id, sid: '00000000-0000-4000-8000-000000000000', iat: 1, exp: 4_000_000_000 }, TEST_JWT_SECRET);
    await expectRefused({ token: unknownLogin });
  });

  it('refuses an expired token with 4401', async () => {
    const { user, login } = await registerUser(t.api);
    const now = Math.floor(Date.now() / 1000);
    const expired = jwt.sign({ sub: user.id, sid: login.id, iat: now - 7200, exp: now - 60 }, TEST_JWT_SECRET, { algorithm: 'HS256' });
    await expectRefused({ token: expired });
  });

  it('refuses a revoked token with 4401', async () => {
    const { token } = await registerUser(t.api);
    await t.api.withToken(token).ok(LOGOUT);
    await expectRefused({ token });
  });

  it('accepts a valid token, in any case of "Bearer"', async () => {
    const { token } = await registerUser(t.api);
    await clients.subscribe(t.server, { connectionParams: { authorization: `bearer ${token}` } }, 1);
    expect(t.server.liveStatus()).toMatchObject({ connections: 1, subscriptions: 1, events: 'listening' });
  });
});

describe('a login revoked while its subscription is open', () => {
  const clients = subscriptionClients();
  afterEach(() => clients.closeAll(t.server));

  it(`logoutDevice: gets its REVOKED event, then the socket closes with 4401 within ${REVOKE_TO_CLOSE_LIMIT_MS} ms`, async () => {
    const email = uniqueEmail();
    const laptop = await registerUser(onDevice(t.api, 'laptop/1'), email);
    const phone = await logInUser(onDevice(t.api, 'phone/1'), email);
    const onPhone = await clients.subscribe(t.server, { token: phone.token }, 1);

    const revokedAt = performance.now();
    await t.api.withToken(laptop.token).ok(LOGOUT_DEVICE, { variables: { loginId: phone.login.id } });
    const closed = await expectEndedWithOwnRevocation(onPhone, phone.login.id, 'LOGOUT');
    const elapsed = closed.at - revokedAt;
    console.log(`logoutDevice to close: ${elapsed.toFixed(1)} ms`);
    expect(elapsed).toBeLessThan(REVOKE_TO_CLOSE_LIMIT_MS);
    expect(onPhone.events).toHaveLength(1);
    expect(onPhone.errors).toEqual([]);
  });

  it('logout: the socket of that login closes; the same user elsewhere hears of it and stays', async () => {
    const email = uniqueEmail();
    const laptop = await registerUser(onDevice(t.api, 'laptop/1'), email);
    const phone = await logInUser(onDevice(t.api, 'phone/1'), email);
    const onLaptop = await clients.subscribe(t.server, { token: laptop.token }, 1);
    const onPhone = await clients.subscribe(t.server, { token: phone.token }, 2);

    await t.api.withToken(phone.token).ok(LOGOUT);
    await expectEndedWithOwnRevocation(onPhone, phone.login.id, 'LOGOUT');
    const [event] = await onLaptop.waitForEvents(1);
    expect(event).toMatchObject({ kind: 'REVOKED', login: { id: phone.login.id, current: false, revokedReason: 'LOGOUT' } });
    expect(onLaptop.isClosed).toBe(false);
  });

  it('logoutAll: every socket of the user closes, each after the revocations of the others and then its own', async () => {
    const email = uniqueEmail();
    const devices = ['a/1', 'b/1', 'c/1'];
    const logins = [await registerUser(onDevice(t.api, devices[0]!), email)];
    for (const device of devices.slice(1)) logins.push(await logInUser(onDevice(t.api, device), email));
    const subscriptions: SubscriptionClient[] = [];
    for (const [index, login] of logins.entries()) subscriptions.push(await clients.subscribe(t.server, { token: login.token }, index + 1));

    expect(await t.api.withToken(logins[0]!.token).ok(LOGOUT_ALL)).toEqual({ logoutAll: 3 });
    for (const [index, subscription] of subscriptions.entries()) {
      await expectEndedWithOwnRevocation(subscription, logins[index]!.login.id, 'LOGOUT_ALL');
      expect(subscription.events.map((event) => event.login.id).sort()).toEqual(logins.map((login) => login.login.id).sort());
    }
  });

  it('logoutAll(keepCurrent: true): the caller keeps its socket and hears of the others', async () => {
    const email = uniqueEmail();
    const kept = await registerUser(onDevice(t.api, 'kept/1'), email);
    const other = await logInUser(onDevice(t.api, 'other/1'), email);
    const onKept = await clients.subscribe(t.server, { token: kept.token }, 1);
    const onOther = await clients.subscribe(t.server, { token: other.token }, 2);

    expect(await t.api.withToken(kept.token).ok(LOGOUT_ALL, { variables: { keepCurrent: true } })).toEqual({ logoutAll: 1 });
    await expectEndedWithOwnRevocation(onOther, other.login.id, 'LOGOUT_ALL');
    const [event] = await onKept.waitForEvents(1);
    expect(event).toMatchObject({ kind: 'REVOKED', login: { id: other.login.id, current: false } });
    expect(onKept.isClosed).toBe(false);
  });

  it('REPLACED: a new login from the same device closes the old one; other devices see REVOKED, then LOGIN', async () => {
    const email = uniqueEmail();
    const laptop = await registerUser(onDevice(t.api, 'laptop/1'), email);
    const phone = await logInUser(onDevice(t.api, 'phone/1'), email);
    const onLaptop = await clients.subscribe(t.server, { token: laptop.token }, 1);
    const onPhone = await clients.subscribe(t.server, { token: phone.token }, 2);

    const again = await logInUser(onDevice(t.api, 'phone/1'), email);
    await expectEndedWithOwnRevocation(onPhone, phone.login.id, 'REPLACED');
    const events = await onLaptop.waitForEvents(2);
    expect(events.map((event) => [event.kind, event.login.id, event.login.current])).toEqual([
      ['REVOKED', phone.login.id, false],
      ['LOGIN', again.login.id, false],
    ]);
    expect(events[1]!.at).toBe(again.login.createdAt);
  });

  it('a subscriber of another user hears nothing of it', async () => {
    const email = uniqueEmail();
    const laptop = await registerUser(onDevice(t.api, 'laptop/1'), email);
    const stranger = await registerUser(t.api);
    const onStranger = await clients.subscribe(t.server, { token: stranger.token }, 1);
    const onLaptop = await clients.subscribe(t.server, { token: laptop.token }, 2);

    const phone = await logInUser(onDevice(t.api, 'phone/1'), email);
    await t.api.withToken(laptop.token).ok(LOGOUT_DEVICE, { variables: { loginId: phone.login.id } });
    await onLaptop.waitForEvents(2);
    expect(onStranger.events).toEqual([]);
    expect(onStranger.isClosed).toBe(false);
  });
});

describe('the active-login cap (LOGIN_LIMIT)', () => {
  const capped = useTestServerOn(t, { MAX_ACTIVE_LOGINS: '2' });
  const clients = subscriptionClients();
  afterEach(() => clients.closeAll(capped.server));

  it('closes the socket of the oldest login when a new one goes over the cap', async () => {
    const email = uniqueEmail();
    const oldest = await registerUser(onDevice(capped.api, 'one/1'), email);
    await logInUser(onDevice(capped.api, 'two/1'), email);
    const onOldest = await clients.subscribe(capped.server, { token: oldest.token }, 1);

    const third = await logInUser(onDevice(capped.api, 'three/1'), email);
    await expectEndedWithOwnRevocation(onOldest, oldest.login.id, 'LOGIN_LIMIT');
    expect(onOldest.events.map((event) => [event.kind, event.login.id])).toEqual([
      ['LOGIN', third.login.id],
      ['REVOKED', oldest.login.id],
    ]);
  });
});

describe('a token that expires while its subscription is open', () => {
  const shortLived = useTestServerOn(t, { JWT_TTL: '2s' });
  const clients = subscriptionClients();
  afterEach(() => clients.closeAll(shortLived.server));

  it(`gets REVOKED (at its expiry, not revoked) and a 4401 within ${REVOKE_TO_CLOSE_LIMIT_MS} ms of it`, async () => {
    const { token, login, expiresAt } = await registerUser(shortLived.api);
    const subscription = await clients.subscribe(shortLived.server, { token }, 1);

    const closed = await subscription.closed;
    const closedAt = Date.now();
    expect(closed.code).toBe(4401);
    expect(subscription.events).toEqual([
      { kind: 'REVOKED', at: expiresAt, login: expect.objectContaining({ id: login.id, current: true, revokedAt: null }) },
    ]);
    expect(closedAt - new Date(expiresAt).getTime()).toBeLessThan(REVOKE_TO_CLOSE_LIMIT_MS);
  });
});
