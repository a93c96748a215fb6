import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import WebSocket from 'ws';
import {
  ChangePasswordDocument,
  GraphQLRequestError,
  LoginActivityDocument,
  LoginDocument,
  LogoutDeviceDocument,
  LogoutDocument,
  RegisterDocument,
  SubscriptionClosedError,
  createClient,
  createLiveClient,
  isNetworkError,
  isSessionEnded,
  isTooManyConnections,
  isTooManyRequests,
  sessionEndReason,
  type LiveClient,
  type LoginActivityKind,
  type LoginActivitySubscription,
} from '../../sdk';
import { closedPort } from '../helpers/closed-port';
import { CHROME_MAC, FIREFOX_LINUX, SAFARI_IPHONE, useTestServer, useTestServerOn, type ServerFixture } from '../helpers/fixture';
import { PASSWORD, uniqueEmail } from '../helpers/operations';
import { activitySettled, waitForSubscriptions } from '../helpers/subscription-client';

/*
 * Every request and subscription of this file goes through the SDK, as an application would send
 * it; only the waits for "the server has the subscription open" and "the server has heard of the
 * activity so far" (activitySettled, before subscribing) look at the server itself.
 */

/** The requirement: a revoked login's subscription ends within one second, with no client action. */
const REVOKE_TO_END_LIMIT_MS = 1000;

type LoginActivityEvent = LoginActivitySubscription['loginActivity'];

interface Ending {
  /** What the iteration rejected with; undefined when it ended normally. */
  error: unknown;
  /** performance.now() when it ended. */
  at: number;
}

/** Reads a subscription to its end in the background, as an app's `for await` loop would. */
function readAll(events: AsyncIterable<LoginActivitySubscription>) {
  const received: LoginActivityEvent[] = [];
  let hasEnded = false;
  const ended = (async (): Promise<Ending> => {
    try {
      for await (const { loginActivity } of events) received.push(loginActivity);
      return { error: undefined, at: performance.now() };
    } catch (error) {
      return { error, at: performance.now() };
    } finally {
      hasEnded = true;
    }
  })();
  return { received, ended, isOpen: () => !hasEnded };
}

/** One live client per call, over `ws` and never reconnecting (a close is final); all disposed after each test. */
function useLiveClients(t: ServerFixture) {
  const open = new Set<LiveClient>();
  afterEach(async () => {
    await Promise.all([...open].map((client) => client.dispose()));
    open.clear();
    await expect.poll(() => t.server.liveStatus().connections, { timeout: 5_000 }).toBe(0);
  });
  return (token: string): LiveClient => {
    const client = createLiveClient({ url: t.server.url, token, webSocketImpl: WebSocket, retryAttempts: 0 });
    open.add(client);
    return client;
  };
}

/** The server keeps one active login per IP address and user agent: a device is a user agent here. */
const deviceOf = (t: ServerFixture, userAgent: string) => createClient({ url: t.server.url, headers: { 'user-agent': userAgent } });

/** Registers on a Linux laptop and logs in on an iPhone. */
async function userOnTwoDevices(t: ServerFixture) {
  const input = { email: uniqueEmail('live'), password: PASSWORD };
  const { register: laptop } = await deviceOf(t, FIREFOX_LINUX).request(RegisterDocument, { input });
  const { login: phone } = await deviceOf(t, SAFARI_IPHONE).request(LoginDocument, { input });
  return { input, laptop, phone };
}

/** The server of the default configuration; the per-user cap's runs on its database. */
const base = useTestServer();

describe('the SDK live client against the live server', () => {
  const t = base;
  const live = useLiveClients(t);

  it(`A hears B log in and be logged out; B gets its own REVOKED, then ends with isSessionEnded (4401) within ${REVOKE_TO_END_LIMIT_MS} ms`, async () => {
    const input = { email: uniqueEmail('live'), password: PASSWORD };
    const laptop = deviceOf(t, FIREFOX_LINUX);
    const { register: a } = await laptop.request(RegisterDocument, { input });
    await activitySettled(t.server);
    const onA = readAll(live(a.token).subscribe(LoginActivityDocument));
    await waitForSubscriptions(t.server, 1);

    const { login: b } = await deviceOf(t, SAFARI_IPHONE).request(LoginDocument, { input });
    await expect.poll(() => onA.received.length).toBe(1);
    const loginEvent = onA.received[0]!;
    expectTypeOf(loginEvent.kind).toEqualTypeOf<LoginActivityKind>();
    expectTypeOf(loginEvent.login.current).toEqualTypeOf<boolean>();
    expect(loginEvent).toMatchObject({
      kind: 'LOGIN',
      at: b.login.createdAt,
      login: { id: b.login.id, device: 'Safari 17 on iOS', current: false, revokedAt: null },
    });

    const onB = readAll(live(b.token).subscribe(LoginActivityDocument));
    await waitForSubscriptions(t.server, 2);
    const revokedAt = performance.now();
    expect(await laptop.withToken(a.token).request(LogoutDeviceDocument, { loginId: b.login.id })).toEqual({ logoutDevice: true });

    await expect.poll(() => onA.received.length).toBe(2);
    expect(onA.received[1]).toMatchObject({ kind: 'REVOKED', login: { id: b.login.id, current: false, revokedReason: 'LOGOUT' } });

    const ending = await onB.ended;
    console.log(`logoutDevice to the end of B's iteration: ${(ending.at - revokedAt).toFixed(1)} ms`);
    expect(ending.at - revokedAt).toBeLessThan(REVOKE_TO_END_LIMIT_MS);
    expect(isSessionEnded(ending.error)).toBe(true);
    expect(ending.error).toBeInstanceOf(SubscriptionClosedError);
    expect(ending.error).toMatchObject({ closeCode: 4401, reason: 'Session ended (SESSION_REVOKED: LOGOUT)' });
    expect(sessionEndReason(ending.error)).toEqual({ reason: 'SESSION_REVOKED', revokedReason: 'LOGOUT' });
    expect(onB.received).toHaveLength(1);
    expect(onB.received[0]).toMatchObject({ kind: 'REVOKED', login: { id: b.login.id, current: true, revokedReason: 'LOGOUT' } });
    expect(onB.received[0]!.at).toBe(onB.received[0]!.login.revokedAt);
    expect(onA.isOpen()).toBe(true);
  });

  it('ends the other device\'s subscription after a password change; sessionEndReason reads PASSWORD_CHANGED from the close', async () => {
    const { laptop, phone } = await userOnTwoDevices(t);
    await activitySettled(t.server);
    const onLaptop = readAll(live(laptop.token).subscribe(LoginActivityDocument));
    const onPhone = readAll(live(phone.token).subscribe(LoginActivityDocument));
    await waitForSubscriptions(t.server, 2);

    const input = { currentPassword: PASSWORD, newPassword: `${PASSWORD} changed` };
    expect(await deviceOf(t, FIREFOX_LINUX).withToken(laptop.token).request(ChangePasswordDocument, { input })).toEqual({ changePassword: 1 });

    const { error } = await onPhone.ended;
    expect(error).toMatchObject({ closeCode: 4401, reason: 'Session ended (SESSION_REVOKED: PASSWORD_CHANGED)' });
    expect(sessionEndReason(error)).toEqual({ reason: 'SESSION_REVOKED', revokedReason: 'PASSWORD_CHANGED' });
    expect(onPhone.received).toMatchObject([{ kind: 'REVOKED', login: { id: phone.login.id, current: true, revokedReason: 'PASSWORD_CHANGED' } }]);
    await expect.poll(() => onLaptop.received.map((event) => [event.kind, event.login.id])).toEqual([['REVOKED', phone.login.id]]);
    expect(onLaptop.isOpen()).toBe(true);
  });

  it('ends with isSessionEnded (4401) and no event when the token is bad or already revoked at subscribe', async () => {
    const { laptop } = await userOnTwoDevices(t);
    await deviceOf(t, FIREFOX_LINUX).withToken(laptop.token).request(LogoutDocument);

    const ends = [
      ['not.a.jwt', { reason: 'INVALID_TOKEN', revokedReason: null }],
      [laptop.token, { reason: 'SESSION_REVOKED', revokedReason: 'LOGOUT' }],
    ] as const;
    for (const [token, end] of ends) {
      const subscription = readAll(live(token).subscribe(LoginActivityDocument));
      const { error } = await subscription.ended;
      expect(isSessionEnded(error), String(error)).toBe(true);
      expect(error).toMatchObject({ name: 'SubscriptionClosedError', closeCode: 4401 });
      expect(sessionEndReason(error)).toEqual(end);
      expect(subscription.received).toEqual([]);
    }
  });

  it('unsubscribes when the loop is left, and ends the iteration normally on dispose()', async () => {
    const { laptop, phone } = await userOnTwoDevices(t);
    await activitySettled(t.server);
    const client = live(laptop.token);

    const left = client.subscribe(LoginActivityDocument);
    await waitForSubscriptions(t.server, 1);
    await left.return?.();
    await waitForSubscriptions(t.server, 0);

    const disposed = readAll(client.subscribe(LoginActivityDocument));
    await waitForSubscriptions(t.server, 1);
    await deviceOf(t, SAFARI_IPHONE).withToken(phone.token).request(LogoutDocument);
    await expect.poll(() => disposed.received.length).toBe(1);
    await client.dispose();
    expect((await disposed.ended).error).toBeUndefined();
  });

  it('reports a server that is not there as a NetworkError', async () => {
    const client = createLiveClient({ url: `http://127.0.0.1:${await closedPort()}/graphql`, token: 'any', webSocketImpl: WebSocket, retryAttempts: 0 });
    const { error } = await readAll(client.subscribe(LoginActivityDocument)).ended;
    expect(isNetworkError(error), String(error)).toBe(true);
    expect(error).toMatchObject({ message: expect.stringMatching(/^Could not reach ws:\/\/127\.0\.0\.1:\d+\/graphql: .*ECONNREFUSED/) });
  });
});

describe('the SDK live client over the per-user cap (MAX_SUBSCRIPTIONS_PER_USER=2)', () => {
  const t = useTestServerOn(base, { MAX_SUBSCRIPTIONS_PER_USER: '2' });
  const live = useLiveClients(t);

  it('a third socket of the user ends with isTooManyConnections (4429); the others carry on', async () => {
    const { input, laptop, phone } = await userOnTwoDevices(t);
    await activitySettled(t.server);
    const onLaptop = readAll(live(laptop.token).subscribe(LoginActivityDocument));
    const onPhone = readAll(live(phone.token).subscribe(LoginActivityDocument));
    await waitForSubscriptions(t.server, 2);

    const third = await readAll(live(laptop.token).subscribe(LoginActivityDocument)).ended;
    expect(isTooManyConnections(third.error), String(third.error)).toBe(true);
    expect(third.error).toMatchObject({ closeCode: 4429, reason: 'Too many subscriptions' });

    const { login: mac } = await deviceOf(t, CHROME_MAC).request(LoginDocument, { input });
    for (const subscription of [onLaptop, onPhone]) {
      await expect.poll(() => subscription.received.map((event) => event.login.id)).toEqual([mac.login.id]);
      expect(subscription.isOpen()).toBe(true);
    }
  });

  it('a third subscription on one socket rejects with isTooManyRequests (a GraphQLRequestError without HTTP status)', async () => {
    const { laptop } = await userOnTwoDevices(t);
    const client = live(laptop.token);
    const first = readAll(client.subscribe(LoginActivityDocument));
    const second = readAll(client.subscribe(LoginActivityDocument));
    await waitForSubscriptions(t.server, 2);

    const { error } = await readAll(client.subscribe(LoginActivityDocument)).ended;
    expect(isTooManyRequests(error), String(error)).toBe(true);
    if (!isTooManyRequests(error)) return;
    expect(error).toBeInstanceOf(GraphQLRequestError);
    expect(error.status).toBeUndefined();
    expect(error.errors[0]?.extensions).toEqual({ code: 'TOO_MANY_REQUESTS', limit: 2 });
    expect(first.isOpen() && second.isOpen()).toBe(true);
    expect(t.server.liveStatus()).toMatchObject({ connections: 1, subscriptions: 2 });
  });
});
