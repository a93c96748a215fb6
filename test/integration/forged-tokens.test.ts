import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorCodes } from '../helpers/graphql-client';
import { useTestServer } from '../helpers/fixture';
import { ME, registerUser, type AuthPayloadView } from '../helpers/operations';
import { TEST_JWT_SECRET } from '../helpers/test-server';

const t = useTestServer();

const now = () => Math.floor(Date.now() / 1000);
const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

let alice: AuthPayloadView;
let bob: AuthPayloadView;
beforeAll(async () => {
  alice = await registerUser(t.api);
  bob = await registerUser(t.api);
});

const sign = (claims: object, secret = TEST_JWT_SECRET, options: jwt.SignOptions = {}) =>
  jwt.sign(claims, secret, { algorithm: 'HS256', ...options });

/** Every way an Authorization header can be wrong; each must fail the whole request with 401. */
const forgeries: Array<[string, () => string]> = [
  ['a tampered signature', () => `Bearer ${alice.token.slice(0, -4)}${alice.token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`],
  ['a tampered payload', () => {
    const [header, , signature] = alice.token.split('.');
    return `Bearer ${header}.${base64url({ sub: bob.user.id, sid: bob.login.id, iat: now(), exp: now() + 3600 })}.${signature}`;
  }],
  ['alg: none', () => `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: alice.user.id, sid: alice.login.id, iat: now(), exp: now() + 3600 })}.`],
  ['another secret', () => `Bearer ${sign({ sub: alice.user.id, sid: alice.login.id, iat: now(), exp: now() + 3600 }, 'another-secret-that-is-also-32-characters')}`],
  ['HS512 with the right secret', () => `Bearer ${sign({ sub: alice.user.id, sid: alice.login.id, iat: now(), exp: now() + 3600 }, TEST_JWT_SECRET, { algorithm: 'HS512' })}`],
  ['an expired token', () => `Bearer ${sign({ sub: alice.user.id, sid: alice.login.id, iat: now() - 7200, exp: now() - 60 })}`],
  ['no exp', () => `Bearer ${sign({ sub: alice.user.id, sid: alice.login.id, iat: now() })}`],
  ['an unknown sid', () => `Bearer ${sign({ sub: alice.user.id, sid: randomUUID(), iat: now(), exp: now() + 3600 })}`],
  ["the sid of another user's login", () => `Bearer ${sign({ sub: alice.user.id, sid: bob.login.id, iat: now(), exp: now() + 3600 })}`],
  ['a sid that is not a UUID', () => `Bearer ${sign({ sub: alice.user.id, sid: '1 or 1=1', iat: now(), exp: now() + 3600 })}`],
  ['no sub', () => `Bearer ${sign({ sid: alice.login.id, iat: now(), exp: now() + 3600 })}`],
  ['garbage', () => 'Bearer not.a.jwt'],
  ['random bytes', () => `Bearer ${Buffer.from(randomUUID()).toString('base64')}`],
  ['a Basic header', () => `Basic ${Buffer.from('alice:password').toString('base64')}`],
  ['the token without a scheme', () => alice.token],
  ['"Bearer" alone', () => 'Bearer'],
  ['two tokens', () => `Bearer ${alice.token} ${bob.token}`],
];

describe('a forged or broken Authorization header', () => {
  it.each(forgeries)('with %s gets HTTP 401 UNAUTHENTICATED for any operation', async (_, header) => {
    const authorization = header();
    // Contract v2: an operation of only register/login ignores the header; one beside anything else does not.
    for (const query of [ME, '{ __typename }', 'mutation { register(input: { email: "x@example.com", password: "password123" }) { token } logout }']) {
      const response = await t.api.request(query, { headers: { authorization } });
      expect(response.status).toBe(401);
      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
      expect(response.data).toBeUndefined();
    }
  });

  it('gets the same message whatever was wrong, so it tells an attacker nothing', async () => {
    const messages = new Set<string>();
    for (const [, header] of forgeries) {
      const response = await t.api.request(ME, { headers: { authorization: header() } });
      messages.add(response.errors?.[0]?.message ?? '');
    }
    expect([...messages]).toEqual(['Your session is invalid or has ended. Log in again.']);
  });

  it('leaves the real tokens working', async () => {
    await t.api.withToken(alice.token).ok(ME);
    await t.api.request(ME, { headers: { authorization: `bearer ${bob.token}` } }).then((response) => {
      expect(response.status).toBe(200);
    });
  });

  it('never registered anyone through a rejected request', async () => {
    expect(await t.db.query("select 1 from users where email = 'x@example.com'")).toEqual([]);
  });
});
