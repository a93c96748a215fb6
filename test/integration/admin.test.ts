import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FIREFOX_LINUX, SAFARI_IPHONE, useTestServer } from '../helpers/fixture';
import type { GraphQLClient, GraphQLResponse } from '../helpers/graphql-client';
import { ME, logInUser, registerUser, uniqueEmail, type AuthPayloadView } from '../helpers/operations';
import { subscriptionClients } from '../helpers/subscription-client';

/** Issue 16: administrators (User.role, `npm run admin`) and the admin operations of contract v2. */
const t = useTestServer();

const ADMIN_CLI = path.resolve(__dirname, '../../dist/src/admin-cli.js');

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run admin -- <args>` as an operator runs it: the compiled CLI, with the server's database in DATABASE_URL. */
async function admin(...args: string[]): Promise<CliRun> {
  const env = { PATH: process.env['PATH'] ?? '', DATABASE_URL: t.db.url, NODE_ENV: 'test' };
  return promisify(execFile)(process.execPath, [ADMIN_CLI, ...args], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

const ROLE = `query { me { role } }`;
const USER_BY_EMAIL = `query UserByEmail($email: String!) { userByEmail(email: $email) { id email role createdAt } }`;
const LOGINS_OF_USER = `query LoginsOfUser($userId: ID!, $includeRevoked: Boolean! = false, $first: Int! = 100) {
  loginsOfUser(userId: $userId, includeRevoked: $includeRevoked, first: $first) { id device revokedAt revokedReason current }
}`;
const EVENTS_OF_USER = `query EventsOfUser($userId: ID!, $first: Int! = 20, $after: String) {
  securityEventsOfUser(userId: $userId, first: $first, after: $after) {
    edges { cursor node { kind revokedReason ipAddress login { id } } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const REVOKE_LOGIN = `mutation RevokeLoginOfUser($loginId: ID!) { revokeLoginOfUser(loginId: $loginId) }`;
const REVOKE_LOGINS = `mutation RevokeLoginsOfUser($userId: ID!) { revokeLoginsOfUser(userId: $userId) }`;

function onlyError(response: GraphQLResponse<unknown>) {
  expect(response.errors).toHaveLength(1);
  return { status: response.status, data: response.data, extensions: response.errors![0]!.extensions };
}

/** A user on two devices, the victim of the admin operations. */
async function userOnTwoDevices() {
  const email = uniqueEmail('member');
  const laptop = await registerUser(t.api.withHeaders({ 'user-agent': FIREFOX_LINUX }), email);
  const phone = await logInUser(t.api.withHeaders({ 'user-agent': SAFARI_IPHONE }), email);
  return { email, userId: laptop.user.id, laptop, phone };
}

describe('npm run admin', () => {
  beforeAll(async () => {
    // The CLI runs the compiled code, which `npm test` builds first.
    expect(ADMIN_CLI).toMatch(/admin-cli\.js$/);
  });

  it('grants and revokes ADMIN by email (any letter case); the role applies from the next request of a token issued before', async () => {
    const email = uniqueEmail('staff');
    const staff = await registerUser(t.api, email);
    const api = t.api.withToken(staff.token);
    expect(await api.ok(ROLE)).toEqual({ me: { role: 'USER' } });

    const granted = await admin('grant', email.toUpperCase());
    expect(granted).toMatchObject({ code: 0, stderr: '' });
    expect(granted.stdout).toMatch(/is now an administrator \(ADMIN\), from their next request/);
    expect(await api.ok(ROLE)).toEqual({ me: { role: 'ADMIN' } });
    expect(await api.ok(USER_BY_EMAIL, { variables: { email } })).toEqual({
      userByEmail: { id: staff.user.id, email, role: 'ADMIN', createdAt: staff.user.createdAt },
    });

    const again = await admin('grant', email);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already an administrator: nothing changed/);

    const revoked = await admin('revoke', email);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/is now a plain user \(USER\)/);
    expect(onlyError(await api.request(USER_BY_EMAIL, { variables: { email } }))).toEqual({
      status: 200,
      data: { userByEmail: null },
      extensions: { code: 'FORBIDDEN' },
    });
  });

  it('says so for an unknown email (exit 1) and prints its usage for anything else (exit 2)', async () => {
    const unknown = await admin('grant', 'nobody-here@example.com');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No user has the email address nobody-here@example.com.');

    for (const args of [[], ['grant'], ['promote', 'a@example.com'], ['grant', 'a@example.com', 'extra']]) {
      const run = await admin(...args);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('Usage: npm run admin -- grant <email>');
    }
  });
});

describe('the admin operations', () => {
  const clients = subscriptionClients();
  afterEach(() => clients.closeAll(t.server));

  let adminApi: GraphQLClient;
  let adminSession: AuthPayloadView;
  beforeAll(async () => {
    const email = uniqueEmail('admin');
    adminSession = await registerUser(t.api.withHeaders({ 'user-agent': 'support-console/1.0' }), email);
    expect((await admin('grant', email)).code).toBe(0);
    adminApi = t.api.withToken(adminSession.token).withHeaders({ 'user-agent': 'support-console/1.0' });
  });

  it('are FORBIDDEN to a signed-in user who is not an administrator, and LOGIN_REQUIRED without a token; nothing changes', async () => {
    const victim = await userOnTwoDevices();
    const plain = await registerUser(t.api);
    const operations: Array<[string, Record<string, unknown>]> = [
      [USER_BY_EMAIL, { email: victim.email }],
      [LOGINS_OF_USER, { userId: victim.userId }],
      [EVENTS_OF_USER, { userId: victim.userId }],
      [REVOKE_LOGIN, { loginId: victim.phone.login.id }],
      [REVOKE_LOGINS, { userId: victim.userId }],
    ];
    for (const [query, variables] of operations) {
      const refused = onlyError(await t.api.withToken(plain.token).request(query, { variables }));
      expect(refused).toMatchObject({ status: 200, extensions: { code: 'FORBIDDEN' } });
      // userByEmail is nullable, so its refusal is a null beside the error; the others null the whole data.
      expect(refused.data).toEqual(query === USER_BY_EMAIL ? { userByEmail: null } : null);
      expect(onlyError(await t.api.request(query, { variables }))).toMatchObject({
        status: 200,
        extensions: { code: 'UNAUTHENTICATED', reason: 'LOGIN_REQUIRED' },
      });
    }
    // The victim's logins are all still good.
    expect(await t.api.withToken(victim.phone.token).ok(ME)).toEqual({ me: victim.laptop.user });
    expect(await t.db.query('select id from user_logins where user_id = $1 and revoked_at is not null', [victim.userId])).toEqual([]);
  });

  it('find a user by email (null for none) and list their logins and security log', async () => {
    const victim = await userOnTwoDevices();
    expect(await adminApi.ok(USER_BY_EMAIL, { variables: { email: `  ${victim.email.toUpperCase()} ` } })).toMatchObject({
      userByEmail: { id: victim.userId, role: 'USER' },
    });
    expect(await adminApi.ok(USER_BY_EMAIL, { variables: { email: 'nobody-at-all@example.com' } })).toEqual({ userByEmail: null });

    const { loginsOfUser } = await adminApi.ok<{ loginsOfUser: Array<{ id: string; current: boolean }> }>(LOGINS_OF_USER, {
      variables: { userId: victim.userId },
    });
    expect(loginsOfUser.map((login) => login.id)).toEqual([victim.phone.login.id, victim.laptop.login.id]);
    // `current` is about the caller's token: none of these is the administrator's.
    expect(loginsOfUser.map((login) => login.current)).toEqual([false, false]);

    const { securityEventsOfUser } = await adminApi.ok<{ securityEventsOfUser: { edges: Array<{ node: { kind: string; login: { id: string } } }> } }>(
      EVENTS_OF_USER,
      { variables: { userId: victim.userId } },
    );
    expect(securityEventsOfUser.edges.map(({ node }) => [node.kind, node.login.id])).toEqual([
      ['NEW_DEVICE_ALERT', victim.phone.login.id],
      ['LOGIN', victim.phone.login.id],
      ['LOGIN', victim.laptop.login.id],
    ]);
  });

  it('revokeLoginOfUser ends one login with ADMIN: its next request gets 401, its socket 4401, and the user\'s log shows it', async () => {
    const victim = await userOnTwoDevices();
    const phoneSocket = await clients.subscribe(t.server, { token: victim.phone.token }, 1);
    const laptopSocket = await clients.subscribe(t.server, { token: victim.laptop.token }, 2);

    expect(await adminApi.ok(REVOKE_LOGIN, { variables: { loginId: victim.phone.login.id } })).toEqual({ revokeLoginOfUser: true });

    expect(onlyError(await t.api.withToken(victim.phone.token).request(ME))).toEqual({
      status: 401,
      data: undefined,
      extensions: { code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED', revokedReason: 'ADMIN' },
    });
    expect(await phoneSocket.closed).toMatchObject({ code: 4401, reason: 'Session ended (SESSION_REVOKED: ADMIN)' });
    // The user's other device hears of it, and goes on.
    await expect.poll(() => laptopSocket.events.map((event) => [event.kind, event.login.id, event.login.revokedReason])).toEqual([
      ['REVOKED', victim.phone.login.id, 'ADMIN'],
    ]);
    expect(await t.api.withToken(victim.laptop.token).ok(ME)).toEqual({ me: victim.laptop.user });

    const { securityEventsOfUser } = await adminApi.ok<{ securityEventsOfUser: { edges: Array<{ node: Record<string, unknown> }> } }>(
      EVENTS_OF_USER,
      { variables: { userId: victim.userId, first: 1 } },
    );
    expect(securityEventsOfUser.edges[0]!.node).toEqual({
      kind: 'LOGIN_REVOKED',
      revokedReason: 'ADMIN',
      ipAddress: '127.0.0.1',
      login: { id: victim.phone.login.id },
    });

    // Already revoked: false, and nothing more is recorded.
    expect(await adminApi.ok(REVOKE_LOGIN, { variables: { loginId: victim.phone.login.id } })).toEqual({ revokeLoginOfUser: false });
    const revokedEvents = await t.db.query('select id from security_events where user_id = $1 and kind = $2', [victim.userId, 'LOGIN_REVOKED']);
    expect(revokedEvents).toHaveLength(1);
  });

  it('revokeLoginsOfUser ends every active login of the user with ADMIN and returns how many', async () => {
    const victim = await userOnTwoDevices();
    const bystander = await registerUser(t.api);
    expect(await adminApi.ok(REVOKE_LOGINS, { variables: { userId: victim.userId } })).toEqual({ revokeLoginsOfUser: 2 });
    for (const token of [victim.laptop.token, victim.phone.token]) {
      expect(onlyError(await t.api.withToken(token).request(ME)).extensions).toEqual({
        code: 'UNAUTHENTICATED',
        reason: 'SESSION_REVOKED',
        revokedReason: 'ADMIN',
      });
    }
    expect(await adminApi.ok(REVOKE_LOGINS, { variables: { userId: victim.userId } })).toEqual({ revokeLoginsOfUser: 0 });
    const { loginsOfUser } = await adminApi.ok<{ loginsOfUser: Array<{ revokedReason: string }> }>(LOGINS_OF_USER, {
      variables: { userId: victim.userId, includeRevoked: true },
    });
    expect(loginsOfUser.map((login) => login.revokedReason)).toEqual(['ADMIN', 'ADMIN']);
    // Nobody else's login moved; the administrator's own session goes on.
    expect(await t.api.withToken(bystander.token).ok(ME)).toEqual({ me: bystander.user });
    expect(await adminApi.ok(ROLE)).toEqual({ me: { role: 'ADMIN' } });
  });

  it('answer NOT_FOUND for unknown ids and BAD_USER_INPUT for malformed ids and page sizes', async () => {
    const unknownId = '00000000-0000-4000-8000-000000000000';
    for (const [query, variables] of [
      [LOGINS_OF_USER, { userId: unknownId }],
      [EVENTS_OF_USER, { userId: unknownId }],
      [REVOKE_LOGIN, { loginId: unknownId }],
      [REVOKE_LOGINS, { userId: unknownId }],
    ] as const) {
      expect(onlyError(await adminApi.request(query, { variables })).extensions).toEqual({ code: 'NOT_FOUND' });
    }
    for (const [query, variables, field] of [
      [LOGINS_OF_USER, { userId: 'not-an-id' }, 'userId'],
      [EVENTS_OF_USER, { userId: 'not-an-id' }, 'userId'],
      [REVOKE_LOGIN, { loginId: 'not-an-id' }, 'loginId'],
      [REVOKE_LOGINS, { userId: 'not-an-id' }, 'userId'],
      [LOGINS_OF_USER, { userId: adminSession.user.id, first: 501 }, 'first'],
      [EVENTS_OF_USER, { userId: adminSession.user.id, first: 0 }, 'first'],
    ] as const) {
      expect(onlyError(await adminApi.request(query, { variables })).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });
});
