import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../helpers/fixture';
import { errorCodes, type GraphQLResponse } from '../helpers/graphql-client';
import { LOGIN, LOGOUT_ALL, ME, PASSWORD, registerUser, uniqueEmail, type AuthPayloadView } from '../helpers/operations';
import { TEST_JWT_SECRET } from '../helpers/test-server';

/** Contract v2: an operation of only `register`/`login` (and `__typename`) ignores the Authorization header. */
const t = useTestServer();

let alice: AuthPayloadView;
let revokedToken: string;
beforeAll(async () => {
  alice = await registerUser(t.api);
  const stale = await registerUser(t.api);
  await t.api.withToken(stale.token).ok(LOGOUT_ALL);
  revokedToken = stale.token;
});

/** What Apollo Client 4's HttpLink sends, with an auth link that still holds an old token. */
async function apolloClientPost(authorization: string, body: Record<string, unknown>) {
  const response = await fetch(t.server.url, {
    method: 'POST',
    headers: {
      accept: 'application/graphql-response+json,application/json;q=0.9',
      'content-type': 'application/json',
      authorization,
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, ...((await response.json()) as Omit<GraphQLResponse<Record<string, any>>, 'status'>) };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const staleHeaders: Array<[string, () => string]> = [
  ['a revoked token', () => `Bearer ${revokedToken}`],
  ['an expired token', () => `Bearer ${jwt.sign({ sub: alice.user.id, sid: alice.login.id, iat: nowSeconds() - 7200, exp: nowSeconds() - 60 }, TEST_JWT_SECRET)}`],
  ['a token of an unknown login', () => `Bearer ${jwt.sign({ sub: alice.user.id, sid: randomUUID(), iat: nowSeconds(), exp: nowSeconds() + 3600 }, TEST_JWT_SECRET)}`],
  ['a malformed header', () => 'Bearer'],
  ['garbage', () => 'Bearer not.a.jwt'],
];

describe('signing in with a stale Authorization header', () => {
  it.each(staleHeaders)('logs in despite %s, as Apollo Client sends it', async (_, header) => {
    const response = await apolloClientPost(header(), {
      operationName: 'Login',
      variables: { input: { email: alice.user.email, password: PASSWORD } },
      query: LOGIN,
    });
    expect(response.status).toBe(200);
    expect(response.errors).toBeUndefined();
    expect(response.data?.['login'].user.id).toBe(alice.user.id);
    // The new token works.
    await t.api.withToken(response.data?.['login'].token as string).ok(ME);
  });

  it('registers despite a revoked token, with __typename beside it', async () => {
    const email = uniqueEmail('fresh');
    const response = await apolloClientPost(`Bearer ${revokedToken}`, {
      query: `mutation Register($input: RegisterInput!) { __typename register(input: $input) { token user { email } } }`,
      variables: { input: { email, password: PASSWORD } },
    });
    expect(response.status).toBe(200);
    expect(response.data?.['register'].user.email).toBe(email);
  });

  it('runs the named sign-in operation of a document that also holds others', async () => {
    const response = await apolloClientPost(`Bearer ${revokedToken}`, {
      query: `${ME.replace('query {', 'query Me {')}\n${LOGIN}`,
      operationName: 'Login',
      variables: { input: { email: alice.user.email, password: PASSWORD } },
    });
    expect(response.status).toBe(200);
    expect(response.data?.['login'].user.id).toBe(alice.user.id);
  });
});

describe('every other operation with a rejected token', () => {
  const loginVariables = () => ({ input: { email: alice.user.email, password: PASSWORD } });
  const others: Array<[string, () => Record<string, unknown>]> = [
    ['login beside logoutAll in one mutation', () => ({
      query: `mutation Mixed($input: LoginInput!) { login(input: $input) { token } logoutAll }`,
      variables: loginVariables(),
    })],
    ['the me query of a document that also holds a login', () => ({
      query: `query Me { me { id } }\n${LOGIN}`,
      operationName: 'Me',
      variables: loginVariables(),
    })],
    ['a document of two operations without an operationName', () => ({ query: `query Me { me { id } }\n${LOGIN}`, variables: loginVariables() })],
    ['login behind a fragment on the root', () => ({
      query: `mutation Hidden($input: LoginInput!) { ... on Mutation { login(input: $input) { token } logoutAll } }`,
      variables: loginVariables(),
    })],
    ['only __typename', () => ({ query: 'mutation { __typename }' })],
    ['register as a query, which does not exist', () => ({ query: `query { register { token } }` })],
    ['a document that does not parse', () => ({ query: 'mutation { login(' })],
  ];

  it.each(others)('still gets HTTP 401: %s', async (_, body) => {
    const response = await apolloClientPost(`Bearer ${revokedToken}`, body());
    expect(response.status).toBe(401);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.errors?.[0]?.extensions?.['reason']).toBe('SESSION_REVOKED');
    expect(response.data).toBeUndefined();
  });

  it('ran nothing of a refused mixed operation: no login of alice was logged out', async () => {
    expect(await t.db.query('select id from user_logins where user_id = $1 and revoked_reason = $2', [alice.user.id, 'LOGOUT_ALL'])).toEqual([]);
  });
});
