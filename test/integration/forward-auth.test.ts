import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { isNetworkError, verifySession } from '../../sdk';
import { closedPort } from '../helpers/closed-port';
import { useTestServer } from '../helpers/fixture';
import { LOGOUT_DEVICE, ME, logInUser, registerUser, uniqueEmail } from '../helpers/operations';

/** Issue 16: GET /auth/session, the session check for proxies (contract v2, "Forward auth"). */
const t = useTestServer({ SESSION_IDLE_TIMEOUT: '4s' });

const sessionUrl = (path = '/auth/session') => new URL(path, t.server.url).href;

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

async function check(authorization?: string, init: RequestInit & { path?: string } = {}): Promise<Answer> {
  const response = await fetch(sessionUrl(init.path), {
    ...init,
    headers: { ...(authorization === undefined ? {} : { authorization }), ...(init.headers as Record<string, string> | undefined) },
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

describe('GET /auth/session', () => {
  it('answers 200 with who the session is, in JSON and in X-User-Id, X-Login-Id and X-User-Role', async () => {
    const alice = await registerUser(t.api);
    const answer = await check(`Bearer ${alice.token}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      userId: alice.user.id,
      loginId: alice.login.id,
      email: alice.user.email,
      role: 'USER',
      expiresAt: alice.expiresAt,
    });
    expect(answer.headers.get('x-user-id')).toBe(alice.user.id);
    expect(answer.headers.get('x-login-id')).toBe(alice.login.id);
    expect(answer.headers.get('x-user-role')).toBe('USER');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');

    // The role is read with the session: a change applies to the next check.
    await t.db.query(`update users set role = 'ADMIN' where id = $1`, [alice.user.id]);
    const asAdmin = await check(`Bearer ${alice.token}`);
    expect(asAdmin.headers.get('x-user-role')).toBe('ADMIN');
    expect(asAdmin.body).toMatchObject({ role: 'ADMIN' });
  });

  it('answers 401 with the reason GraphQL gives: LOGIN_REQUIRED, INVALID_TOKEN, SESSION_REVOKED (with revokedReason)', async () => {
    const email = uniqueEmail('forward');
    const laptop = await registerUser(t.api.withHeaders({ 'user-agent': 'laptop/1' }), email);
    const phone = await logInUser(t.api.withHeaders({ 'user-agent': 'phone/1' }), email);

    const none = await check();
    expect({ status: none.status, body: none.body, challenge: none.headers.get('www-authenticate') }).toEqual({
      status: 401,
      body: { reason: 'LOGIN_REQUIRED' },
      challenge: 'Bearer',
    });
    for (const header of ['Bearer not-a-jwt', 'Basic dXNlcjpwYXNz', `Bearer ${phone.token}x`]) {
      const refused = await check(header);
      expect({ status: refused.status, body: refused.body, challenge: refused.headers.get('www-authenticate') }).toEqual({
        status: 401,
        body: { reason: 'INVALID_TOKEN' },
        challenge: 'Bearer error="invalid_token"',
      });
    }

    expect((await check(`Bearer ${phone.token}`)).status).toBe(200);
    await t.api.withToken(laptop.token).ok(LOGOUT_DEVICE, { variables: { loginId: phone.login.id } });
    // The very next check refuses it, as GraphQL does.
    const revoked = await check(`Bearer ${phone.token}`);
    expect({ status: revoked.status, body: revoked.body }).toEqual({ status: 401, body: { reason: 'SESSION_REVOKED', revokedReason: 'LOGOUT' } });
    expect((await t.api.withToken(phone.token).request(ME)).status).toBe(401);
    expect((await check(`Bearer ${laptop.token}`)).status).toBe(200);
  });

  it('refuses two Authorization headers, as GraphQL does: a proxy may read the other one', async () => {
    const alice = await registerUser(t.api);
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(sessionUrl(), { headers: ['host', new URL(t.server.url).host, 'authorization', `Bearer ${alice.token}`, 'authorization', 'Bearer other'] }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end();
    });
    expect(status).toBe(401);
  });

  it("serves Envoy's ext_authz, which keeps the original method and appends the original path; the body is never read", async () => {
    const alice = await registerUser(t.api);
    const answer = await check(`Bearer ${alice.token}`, {
      path: '/auth/session/api/orders/42?draft=1',
      method: 'POST',
      body: '{"not":"read"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-user-id')).toBe(alice.user.id);
    // A path that only starts like it is not the check.
    expect((await fetch(sessionUrl('/auth/sessions'))).status).toBe(404);
  });

  it('is a use of the session: it moves lastSeenAt, so a user seen only by other services is not idled out', async () => {
    const alice = await registerUser(t.api);
    const lastSeen = async () =>
      (await t.db.query<{ last_seen_at: Date }>('select last_seen_at from user_logins where id = $1', [alice.login.id]))[0]!.last_seen_at.getTime();
    const before = await lastSeen();
    // With a 4 s idle timeout, lastSeenAt is written at most once a second.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await check(`Bearer ${alice.token}`)).status).toBe(200);
    await expect.poll(lastSeen, { timeout: 5_000 }).toBeGreaterThan(before);
  });
});

describe("the SDK's verifySession(url, token), for Node services", () => {
  it('says whose a live token is, and why another is refused, from the server or its GraphQL URL', async () => {
    const email = uniqueEmail('verify');
    const laptop = await registerUser(t.api.withHeaders({ 'user-agent': 'laptop/1' }), email);
    const phone = await logInUser(t.api.withHeaders({ 'user-agent': 'phone/1' }), email);
    const origin = new URL(t.server.url).origin;

    for (const url of [origin, t.server.url]) {
      expect(await verifySession(url, phone.token)).toEqual({
        valid: true,
        userId: laptop.user.id,
        loginId: phone.login.id,
        email,
        role: 'USER',
        expiresAt: phone.expiresAt,
      });
    }
    expect(await verifySession(origin, undefined)).toEqual({ valid: false, reason: 'LOGIN_REQUIRED', revokedReason: null });
    expect(await verifySession(origin, 'garbage')).toEqual({ valid: false, reason: 'INVALID_TOKEN', revokedReason: null });
    await t.api.withToken(laptop.token).ok(LOGOUT_DEVICE, { variables: { loginId: phone.login.id } });
    expect(await verifySession(origin, phone.token)).toEqual({ valid: false, reason: 'SESSION_REVOKED', revokedReason: 'LOGOUT' });
  });

  it('rejects with a NetworkError when the server cannot answer', async () => {
    const error = await verifySession(`http://127.0.0.1:${await closedPort()}`, 'token').catch((reason: unknown) => reason);
    expect(isNetworkError(error)).toBe(true);
  });
});
