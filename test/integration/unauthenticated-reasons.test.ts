import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClient, MeDocument, sessionEndReason, unauthenticatedReason } from '../../sdk';
import { useTestServer } from '../helpers/fixture';
import type { GraphQLResponse } from '../helpers/graphql-client';
import { LOGIN, LOGOUT, LOGOUT_ALL, ME, PASSWORD, registerUser, uniqueEmail, type AuthPayloadView } from '../helpers/operations';
import { TEST_JWT_SECRET } from '../helpers/test-server';

/** Contract v2: every UNAUTHENTICATED error carries `extensions.reason`, and a revoked login's `revokedReason`. */
const t = useTestServer();

const INVALID_SESSION = 'Your session is invalid or has ended. Log in again.';
const nowSeconds = () => Math.floor(Date.now() / 1000);
const sign = (claims: object, secret = TEST_JWT_SECRET, options: jwt.SignOptions = {}) =>
  jwt.sign(claims, secret, { algorithm: 'HS256', ...options });

function unauthenticated(response: GraphQLResponse<unknown>) {
  expect(response.errors).toHaveLength(1);
  const [error] = response.errors!;
  expect(error!.extensions?.code).toBe('UNAUTHENTICATED');
  return { status: response.status, message: error!.message, extensions: error!.extensions };
}

let alice: AuthPayloadView;
let bob: AuthPayloadView;
beforeAll(async () => {
  alice = await registerUser(t.api);
  bob = await registerUser(t.api);
});

describe('LOGIN_REQUIRED', () => {
  it('is the reason, with HTTP 200, for a field that needs a token sent without one', async () => {
    const error = unauthenticated(await t.api.request(ME));
    expect(error).toMatchObject({ status: 200, extensions: { reason: 'LOGIN_REQUIRED' } });
  });
});

describe('INVALID_CREDENTIALS', () => {
  it('is the reason, with HTTP 200 and one message, for a wrong password and an unknown email alike', async () => {
    const wrongPassword = unauthenticated(
      await t.api.request(LOGIN, { variables: { input: { email: alice.user.email, password: 'not the password' } } }),
    );
    const unknownEmail = unauthenticated(
      await t.api.request(LOGIN, { variables: { input: { email: uniqueEmail('nobody'), password: PASSWORD } } }),
    );
    expect(wrongPassword).toMatchObject({ status: 200, extensions: { reason: 'INVALID_CREDENTIALS' } });
    expect(unknownEmail).toEqual(wrongPassword);
  });
});

describe('INVALID_TOKEN', () => {
  const invalid: Array<[string, () => string]> = [
    ['a malformed header', () => `Token ${alice.token}`],
    ['a bad signature', () => `Bearer ${sign({ sub: alice.user.id, sid: alice.login.id, iat: nowSeconds(), exp: nowSeconds() + 3600 }, 'another-secret-that-is-also-32-characters')}`],
    ['a wrong algorithm', () => `Bearer ${sign({ sub: alice.user.id, sid: alice.login.id, iat: nowSeconds(), exp: nowSeconds() + 3600 }, TEST_JWT_SECRET, { algorithm: 'HS512' })}`],
    ['a passed exp on an active login', () => `Bearer ${sign({ sub: alice.user.id, sid: alice.login.id, iat: nowSeconds() - 7200, exp: nowSeconds() - 60 })}`],
    ['an unknown login', () => `Bearer ${sign({ sub: alice.user.id, sid: randomUUID(), iat: nowSeconds(), exp: nowSeconds() + 3600 })}`],
    ['an expired token of an unknown login', () => `Bearer ${sign({ sub: alice.user.id, sid: randomUUID(), iat: nowSeconds() - 7200, exp: nowSeconds() - 60 })}`],
    ['a sub/sid mismatch', () => `Bearer ${sign({ sub: alice.user.id, sid: bob.login.id, iat: nowSeconds(), exp: nowSeconds() + 3600 })}`],
  ];

  it.each(invalid)('is the reason, with HTTP 401 and the generic message, for %s', async (_, header) => {
    const error = unauthenticated(await t.api.request(ME, { headers: { authorization: header() } }));
    expect(error).toEqual({ status: 401, message: INVALID_SESSION, extensions: { code: 'UNAUTHENTICATED', reason: 'INVALID_TOKEN' } });
  });
});

describe('SESSION_REVOKED', () => {
  it.each([
    ['logout', 'LOGOUT', LOGOUT],
    ['logoutAll', 'LOGOUT_ALL', LOGOUT_ALL],
  ])('is the reason after %s, with HTTP 401 and revokedReason %s', async (_, revokedReason, mutation) => {
    const { token } = await registerUser(t.api);
    await t.api.withToken(token).ok(mutation);
    const error = unauthenticated(await t.api.withToken(token).request(ME));
    expect(error).toEqual({
      status: 401,
      message: INVALID_SESSION,
      extensions: { code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED', revokedReason },
    });
  });
});

describe('SESSION_EXPIRED', () => {
  afterEach(() => vi.useRealTimers());

  it("is the reason, with HTTP 401, once the login's absolute lifetime has ended", async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2031-03-01T00:00:00.000Z'));
    const { token, expiresAt } = await registerUser(t.api);
    vi.setSystemTime(new Date(new Date(expiresAt).getTime() + 1000));
    const error = unauthenticated(await t.api.withToken(token).request(ME));
    expect(error).toEqual({ status: 401, message: INVALID_SESSION, extensions: { code: 'UNAUTHENTICATED', reason: 'SESSION_EXPIRED' } });
  });
});

describe("the SDK's accessors", () => {
  it('read the reason of a rejected token, and of a wrong password', async () => {
    const { token } = await registerUser(t.api);
    await t.api.withToken(token).ok(LOGOUT_ALL);
    const client = createClient({ url: t.server.url });

    const revoked = await client.withToken(token).request(MeDocument).catch((error: unknown) => error);
    expect(sessionEndReason(revoked)).toEqual({ reason: 'SESSION_REVOKED', revokedReason: 'LOGOUT_ALL' });
    expect(unauthenticatedReason(revoked)).toBe('SESSION_REVOKED');

    const anonymous = await client.request(MeDocument).catch((error: unknown) => error);
    expect(unauthenticatedReason(anonymous)).toBe('LOGIN_REQUIRED');
    expect(sessionEndReason(anonymous)).toBeNull();
  });
});
