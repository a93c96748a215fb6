import { describe, expect, it } from 'vitest';
import { errorCodes } from '../helpers/graphql-client';
import { FIREFOX_LINUX, useTestServer } from '../helpers/fixture';
import { LOGIN, ME, PASSWORD, REGISTER, logInUser, registerUser, uniqueEmail } from '../helpers/operations';

const t = useTestServer();

describe('register', () => {
  it('creates the user and its first login, and returns a working token', async () => {
    const email = uniqueEmail();
    const payload = await registerUser(t.api.withHeaders({ 'user-agent': FIREFOX_LINUX }), `  ${email.toUpperCase()} `);

    expect(payload.user.email).toBe(email);
    expect(payload.login).toMatchObject({
      ipAddress: '127.0.0.1',
      userAgent: FIREFOX_LINUX,
      device: 'Firefox 132 on Linux',
      current: true,
      revokedAt: null,
      revokedReason: null,
    });
    expect(payload.expiresAt).toBe(payload.login.expiresAt);
    expect(new Date(payload.expiresAt).getTime() - Date.now()).toBeGreaterThan(29 * 24 * 3600 * 1000);

    const me = await t.api.withToken(payload.token).ok(ME);
    expect(me).toEqual({ me: payload.user });
  });

  it('puts only the user and login ids, iat and exp in the token', async () => {
    const payload = await registerUser(t.api);
    const [, body] = payload.token.split('.');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString());
    expect(Object.keys(claims).sort()).toEqual(['exp', 'iat', 'sid', 'sub']);
    expect(claims).toMatchObject({ sub: payload.user.id, sid: payload.login.id });
    expect(claims.exp * 1000).toBe(new Date(payload.expiresAt).getTime());
  });

  it.each([
    ['an invalid email', { email: 'not-an-email', password: PASSWORD }, 'email'],
    ['an empty email', { email: '   ', password: PASSWORD }, 'email'],
    ['an email over 254 characters', { email: `${'a'.repeat(250)}@example.com`, password: PASSWORD }, 'email'],
    ['a password under 8 characters', { email: uniqueEmail(), password: 'short12' }, 'password'],
    ['a password of 7 characters in 14 bytes', { email: uniqueEmail(), password: 'ééééééé' }, 'password'],
    ['a password over 72 UTF-8 bytes', { email: uniqueEmail(), password: 'é'.repeat(37) }, 'password'],
  ])('refuses %s with BAD_USER_INPUT and writes nothing', async (_, input, field) => {
    const response = await t.api.request(REGISTER, { variables: { input } });
    expect(response.status).toBe(200);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.extensions?.['field']).toBe(field);
    const rows = await t.db.query('select 1 from users where email = $1', [input.email.trim().toLowerCase()]);
    expect(rows).toHaveLength(0);
  });

  it('accepts a password of exactly 72 bytes and 8 multi-byte characters', async () => {
    await registerUser(t.api, uniqueEmail(), 'a'.repeat(72));
    await registerUser(t.api, uniqueEmail(), 'ééééóóóó');
  });

  it('refuses an email already registered, whatever its case', async () => {
    const email = uniqueEmail();
    await registerUser(t.api, email);
    const response = await t.api.request(REGISTER, { variables: { input: { email: email.toUpperCase(), password: PASSWORD } } });
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.message).toBe('An account with this email already exists.');
  });

  it('lets exactly one of two simultaneous registrations of one email win; the other gets BAD_USER_INPUT', async () => {
    const email = uniqueEmail('race');
    const responses = await Promise.all(
      [email, email.toUpperCase(), email, ` ${email}`].map((variant) =>
        t.api.request(REGISTER, { variables: { input: { email: variant, password: PASSWORD } } }),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200]);
    const codes = responses.map((response) => errorCodes(response)[0] ?? 'OK').sort();
    expect(codes).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT', 'OK']);
    expect(await t.db.query('select id from users where email = $1', [email])).toHaveLength(1);
    expect(await t.db.query('select l.id from user_logins l join users u on u.id = l.user_id where u.email = $1', [email])).toHaveLength(1);
  });
});

describe('login', () => {
  it('opens a new login with a new token for the right password, with the email in any case', async () => {
    const email = uniqueEmail();
    const registered = await registerUser(t.api, email);
    const loggedIn = await logInUser(t.api.withHeaders({ 'user-agent': 'curl/8.5.0' }), ` ${email.toUpperCase()}`);
    expect(loggedIn.user).toEqual(registered.user);
    expect(loggedIn.login.id).not.toBe(registered.login.id);
    expect(loggedIn.login.device).toBe('curl 8.5.0');
    expect(loggedIn.login.current).toBe(true);
    expect(await t.api.withToken(loggedIn.token).ok(ME)).toEqual({ me: registered.user });
  });

  it('answers a wrong password and an unknown email with the same UNAUTHENTICATED error', async () => {
    const email = uniqueEmail();
    await registerUser(t.api, email);
    const wrongPassword = await t.api.request(LOGIN, { variables: { input: { email, password: 'wrong password' } } });
    const unknownEmail = await t.api.request(LOGIN, { variables: { input: { email: uniqueEmail(), password: PASSWORD } } });

    for (const response of [wrongPassword, unknownEmail]) {
      expect(response.status).toBe(200);
      expect(response.data).toBeNull();
      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    }
    expect(wrongPassword.errors?.[0]?.message).toBe(unknownEmail.errors?.[0]?.message);
    expect(wrongPassword.errors?.[0]?.message).toBe('Incorrect email or password.');
  });

  it('never accepts a password longer than 72 bytes, even when its first 72 bytes are right', async () => {
    const email = uniqueEmail();
    const password = 'p'.repeat(72);
    await registerUser(t.api, email, password);
    const response = await t.api.request(LOGIN, { variables: { input: { email, password: `${password}extra` } } });
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses a malformed email with BAD_USER_INPUT', async () => {
    const response = await t.api.request(LOGIN, { variables: { input: { email: 'nope', password: PASSWORD } } });
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('anonymous requests', () => {
  it.each([
    ['me', ME],
    ['myLogins', '{ myLogins { id } }'],
    ['logout', 'mutation { logout }'],
    ['logoutDevice', 'mutation { logoutDevice(loginId: "00000000-0000-4000-8000-000000000000") }'],
    ['logoutAll', 'mutation { logoutAll }'],
  ])('cannot call %s: UNAUTHENTICATED', async (_, query) => {
    const response = await t.api.request(query);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.data).toBeNull();
  });

  it('treat an empty Authorization header as no header (what Apollo Client sends when signed out)', async () => {
    const response = await t.api.request('{ __typename }', { headers: { authorization: '' } });
    expect(response).toEqual({ status: 200, data: { __typename: 'Query' } });
  });

  it('may introspect the schema', async () => {
    const response = await t.api.request('{ __schema { queryType { name } } }');
    expect(response.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});
