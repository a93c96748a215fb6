import { afterEach, describe, expect, it } from 'vitest';
import { CHROME_MAC, FIREFOX_LINUX, SAFARI_IPHONE, useTestServer, useTestServerOn } from '../helpers/fixture';
import { errorCodes, type GraphQLClient, type GraphQLResponse } from '../helpers/graphql-client';
import { LOGIN, LOGIN_FIELDS, ME, PASSWORD, logInUser, registerUser, uniqueEmail, type AuthPayloadView } from '../helpers/operations';
import { subscriptionClients } from '../helpers/subscription-client';

/** Issue 14: changePassword, with and without logging out the other devices, and its limits. */
const t = useTestServer();

const NEW_PASSWORD = 'a brand new passphrase';

const CHANGE_PASSWORD = `mutation ChangePassword($input: ChangePasswordInput!) { changePassword(input: $input) }`;
const MY_LOGINS = `query MyLogins($includeRevoked: Boolean!) { myLogins(includeRevoked: $includeRevoked) { ${LOGIN_FIELDS} } }`;

interface ListedLogin {
  id: string;
  current: boolean;
  revokedAt: string | null;
  revokedReason: string | null;
}

const onDevice = (api: GraphQLClient, agent: string) => api.withHeaders({ 'user-agent': agent });

function changePassword(
  api: GraphQLClient,
  token: string | undefined,
  input: { currentPassword: string; newPassword: string; logoutOtherDevices?: boolean },
) {
  return api.request<{ changePassword: number }>(CHANGE_PASSWORD, { token, variables: { input } });
}

async function myLogins(api: GraphQLClient, token: string, includeRevoked: boolean): Promise<ListedLogin[]> {
  return (await api.ok<{ myLogins: ListedLogin[] }>(MY_LOGINS, { token, variables: { includeRevoked } })).myLogins;
}

/** The one error of a response, with the HTTP status it came with. */
function onlyError(response: GraphQLResponse<unknown>) {
  expect(response.errors).toHaveLength(1);
  return { status: response.status, extensions: response.errors![0]!.extensions };
}

const invalidCredentials = { status: 200, extensions: { code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' } };
const revokedBy = (revokedReason: string) => ({
  status: 401,
  extensions: { code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED', revokedReason },
});

function logIn(api: GraphQLClient, email: string, password: string) {
  return api.request<{ login: AuthPayloadView }>(LOGIN, { variables: { input: { email, password } } });
}

/** One user on two devices: A, a Linux laptop, and B, a Mac. */
async function userOnTwoDevices(api: GraphQLClient = t.api) {
  const email = uniqueEmail('change');
  const a = await registerUser(onDevice(api, FIREFOX_LINUX), email);
  const b = await logInUser(onDevice(api, CHROME_MAC), email);
  return { email, a, b };
}

describe('changePassword with logoutOtherDevices (the default)', () => {
  const clients = subscriptionClients();
  afterEach(() => clients.closeAll(t.server));

  it("revokes B (PASSWORD_CHANGED), ends B's socket after its REVOKED event, keeps A; only the new password logs in", async () => {
    const { email, a, b } = await userOnTwoDevices();
    const onA = await clients.subscribe(t.server, { token: a.token }, 1);
    const onB = await clients.subscribe(t.server, { token: b.token }, 2);

    const changed = await changePassword(t.api, a.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(changed).toEqual({ status: 200, data: { changePassword: 1 } });

    // B's next request is refused, and says why.
    expect(onlyError(await t.api.withToken(b.token).request(ME))).toEqual(revokedBy('PASSWORD_CHANGED'));

    // B's socket: its own REVOKED event last, then 4401 with the reason codes.
    const closed = await onB.closed;
    expect(closed).toMatchObject({ code: 4401, reason: 'Session ended (SESSION_REVOKED: PASSWORD_CHANGED)' });
    expect(onB.events.at(-1)).toMatchObject({
      kind: 'REVOKED',
      login: { id: b.login.id, current: true, revokedReason: 'PASSWORD_CHANGED' },
    });
    expect(onB.errors).toEqual([]);

    // A keeps its login and its socket, and hears of B's end.
    expect(await t.api.withToken(a.token).ok(ME)).toEqual({ me: a.user });
    const [heard] = await onA.waitForEvents(1);
    expect(heard).toMatchObject({ kind: 'REVOKED', login: { id: b.login.id, current: false, revokedReason: 'PASSWORD_CHANGED' } });
    expect(onA.isClosed).toBe(false);

    // The history shows why B ended; A is the only active login.
    const history = await myLogins(t.api, a.token, true);
    expect(history.find((login) => login.id === b.login.id)).toMatchObject({ revokedReason: 'PASSWORD_CHANGED', revokedAt: expect.any(String) });
    expect((await myLogins(t.api, a.token, false)).map((login) => [login.id, login.current])).toEqual([[a.login.id, true]]);

    expect(onlyError(await logIn(onDevice(t.api, SAFARI_IPHONE), email, PASSWORD))).toEqual(invalidCredentials);
    const fresh = await logIn(onDevice(t.api, SAFARI_IPHONE), email, NEW_PASSWORD);
    expect(fresh.status).toBe(200);
    expect(fresh.data?.login.user.id).toBe(a.user.id);
  });

  it('passing logoutOtherDevices: true explicitly does the same, and revokes every other device', async () => {
    const { a, b } = await userOnTwoDevices();
    const c = await logInUser(onDevice(t.api, SAFARI_IPHONE), a.user.email);
    const changed = await changePassword(t.api, a.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, logoutOtherDevices: true });
    expect(changed.data).toEqual({ changePassword: 2 });
    for (const other of [b, c]) expect(onlyError(await t.api.withToken(other.token).request(ME))).toEqual(revokedBy('PASSWORD_CHANGED'));
    expect(await t.api.withToken(a.token).ok(ME)).toEqual({ me: a.user });
  });
});

describe('changePassword with logoutOtherDevices: false', () => {
  const clients = subscriptionClients();
  afterEach(() => clients.closeAll(t.server));

  it("returns 0 and keeps B: its token works and its socket stays open", async () => {
    const { email, a, b } = await userOnTwoDevices();
    const onB = await clients.subscribe(t.server, { token: b.token }, 1);

    const changed = await changePassword(t.api, a.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, logoutOtherDevices: false });
    expect(changed).toEqual({ status: 200, data: { changePassword: 0 } });
    expect(await t.api.withToken(b.token).ok(ME)).toEqual({ me: b.user });
    expect((await myLogins(t.api, b.token, false)).map((login) => login.id).sort()).toEqual([a.login.id, b.login.id].sort());

    // A login made after the change reaches B's socket: it was not closed by the change.
    const c = await logInUser(onDevice(t.api, SAFARI_IPHONE), email, NEW_PASSWORD);
    const events = await onB.waitForEvents(1);
    expect(events).toEqual([expect.objectContaining({ kind: 'LOGIN', login: expect.objectContaining({ id: c.login.id }) })]);
    expect(onB.isClosed).toBe(false);
    expect(onlyError(await logIn(t.api, email, PASSWORD))).toEqual(invalidCredentials);
  });
});

describe('changePassword refused', () => {
  it('for a wrong currentPassword: INVALID_CREDENTIALS with HTTP 200, and nothing changes', async () => {
    const { email, a, b } = await userOnTwoDevices();
    const response = await changePassword(t.api, a.token, { currentPassword: 'not the password', newPassword: NEW_PASSWORD });
    expect(onlyError(response)).toEqual(invalidCredentials);
    expect(response.data).toBeNull();

    expect(await t.api.withToken(b.token).ok(ME)).toEqual({ me: b.user });
    expect((await myLogins(t.api, a.token, true)).every((login) => login.revokedAt === null)).toBe(true);
    expect(onlyError(await logIn(onDevice(t.api, SAFARI_IPHONE), email, NEW_PASSWORD))).toEqual(invalidCredentials);
    expect((await logIn(onDevice(t.api, SAFARI_IPHONE), email, PASSWORD)).status).toBe(200);
  });

  it.each([
    ['too short', 'short'],
    ['over 72 bytes in UTF-8', 'é'.repeat(37)],
  ])('for a newPassword %s: BAD_USER_INPUT on the field newPassword, and nothing changes', async (_, newPassword) => {
    const { email, a, b } = await userOnTwoDevices();
    const response = await changePassword(t.api, a.token, { currentPassword: PASSWORD, newPassword });
    expect(response.status).toBe(200);
    expect(response.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'newPassword' }) })]);
    expect(response.data).toBeNull();
    expect(await t.api.withToken(b.token).ok(ME)).toEqual({ me: b.user });
    expect((await logIn(onDevice(t.api, SAFARI_IPHONE), email, PASSWORD)).status).toBe(200);
  });

  it('without a token: LOGIN_REQUIRED (HTTP 200)', async () => {
    const response = await changePassword(t.api, undefined, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(onlyError(response)).toEqual({ status: 200, extensions: { code: 'UNAUTHENTICATED', reason: 'LOGIN_REQUIRED' } });
  });

  it("with a token changed out from under it: B's revoked token cannot change the password back", async () => {
    const { email, a, b } = await userOnTwoDevices();
    await changePassword(t.api, a.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    const response = await changePassword(t.api, b.token, { currentPassword: NEW_PASSWORD, newPassword: PASSWORD });
    expect(onlyError(response)).toEqual(revokedBy('PASSWORD_CHANGED'));
    expect(onlyError(await logIn(t.api, email, PASSWORD))).toEqual(invalidCredentials);
  });
});

describe('the failed-login limits count wrong currentPasswords', () => {
  const FAILURES_PER_EMAIL_IP = 3;
  const limited = useTestServerOn(t, { RATE_LIMIT_LOGIN_FAILURES_PER_EMAIL_IP: String(FAILURES_PER_EMAIL_IP) });

  // Each test acts from client IPs of its own (any 127.x.y.z is this machine), so the counts are its own.
  let nextHost = 0;
  const fromNewIp = () => limited.api.fromIp(`127.0.14.${(nextHost += 1) + 1}`);

  it(`after ${FAILURES_PER_EMAIL_IP} wrong currentPasswords, changePassword and login of that email from that IP get 429`, async () => {
    const api = fromNewIp();
    const { email, a } = await userOnTwoDevices(api);
    for (let attempt = 1; attempt <= FAILURES_PER_EMAIL_IP; attempt++) {
      const response = await changePassword(api, a.token, { currentPassword: `guess-${attempt}-wrong`, newPassword: NEW_PASSWORD });
      expect(onlyError(response)).toEqual(invalidCredentials);
    }

    const blocked = await changePassword(api, a.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(blocked.status).toBe(429);
    expect(errorCodes(blocked)).toEqual(['TOO_MANY_REQUESTS']);
    expect(blocked.errors?.[0]?.extensions?.['retryAfter']).toBeGreaterThan(0);

    const login = await logIn(api, email, PASSWORD);
    expect(login.status).toBe(429);
    expect(errorCodes(login)).toEqual(['TOO_MANY_REQUESTS']);

    // Nothing was changed by the refused attempt: from another IP the old password still logs in.
    expect((await logIn(fromNewIp(), email, PASSWORD)).status).toBe(200);
  });

  it('an invalid newPassword takes no point: refused before the password is checked', async () => {
    const api = fromNewIp();
    const { a } = await userOnTwoDevices(api);
    for (let attempt = 0; attempt < FAILURES_PER_EMAIL_IP + 2; attempt++) {
      const response = await changePassword(api, a.token, { currentPassword: 'wrong as well', newPassword: 'short' });
      expect(response.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'newPassword' }) })]);
    }
    // Every point is still there: the limit's worth of wrong passwords is judged, then the next is refused.
    for (let attempt = 1; attempt <= FAILURES_PER_EMAIL_IP; attempt++) {
      expect(onlyError(await changePassword(api, a.token, { currentPassword: `guess-${attempt}-wrong`, newPassword: NEW_PASSWORD }))).toEqual(
        invalidCredentials,
      );
    }
    expect((await changePassword(api, a.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })).status).toBe(429);
  });

  it('a successful change clears the failures of that email from that IP, as a login does', async () => {
    const api = fromNewIp();
    const { a } = await userOnTwoDevices(api);
    for (let attempt = 1; attempt < FAILURES_PER_EMAIL_IP; attempt++) {
      await changePassword(api, a.token, { currentPassword: `guess-${attempt}-wrong`, newPassword: NEW_PASSWORD });
    }
    expect((await changePassword(api, a.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })).data).toEqual({ changePassword: 1 });
    for (let attempt = 1; attempt <= FAILURES_PER_EMAIL_IP; attempt++) {
      expect(onlyError(await changePassword(api, a.token, { currentPassword: `again-${attempt}-wrong`, newPassword: PASSWORD }))).toEqual(
        invalidCredentials,
      );
    }
  });
});

describe('the failed-login limit per IP counts wrong currentPasswords too', () => {
  const FAILURES_PER_IP = 3;
  const limited = useTestServerOn(t, { RATE_LIMIT_LOGIN_FAILURES_PER_IP: String(FAILURES_PER_IP) });

  it(`after ${FAILURES_PER_IP} wrong currentPasswords from one IP, a login of another email from it gets 429`, async () => {
    const api = limited.api.fromIp('127.0.16.2');
    const { a } = await userOnTwoDevices(api);
    const other = await registerUser(api);
    for (let attempt = 1; attempt <= FAILURES_PER_IP; attempt++) {
      expect(onlyError(await changePassword(api, a.token, { currentPassword: `guess-${attempt}-wrong`, newPassword: NEW_PASSWORD }))).toEqual(
        invalidCredentials,
      );
    }
    const login = await logIn(api, other.user.email, PASSWORD);
    expect(login.status).toBe(429);
    expect(errorCodes(login)).toEqual(['TOO_MANY_REQUESTS']);
    expect((await logIn(limited.api.fromIp('127.0.16.3'), other.user.email, PASSWORD)).status).toBe(200);
  });
});

describe('two changes racing with the same currentPassword', () => {
  it('exactly one wins; the other is refused as INVALID_CREDENTIALS, and the password is the winner\'s', async () => {
    for (let round = 0; round < 5; round++) {
      const { email, a } = await userOnTwoDevices();
      const candidates = ['first new passphrase', 'second new passphrase'];
      const results = await Promise.all(
        candidates.map((newPassword) => changePassword(t.api, a.token, { currentPassword: PASSWORD, newPassword })),
      );
      const winners = results.flatMap((result, index) => (result.errors ? [] : [index]));
      expect(winners).toHaveLength(1);
      const loser = results[1 - winners[0]!]!;
      expect(onlyError(loser)).toEqual(invalidCredentials);
      expect((await logIn(t.api, email, candidates[winners[0]!]!)).status).toBe(200);
      expect(onlyError(await logIn(t.api, email, candidates[1 - winners[0]!]!))).toEqual(invalidCredentials);
      expect(onlyError(await logIn(t.api, email, PASSWORD))).toEqual(invalidCredentials);
    }
  });
});

describe('logins with the old password racing a change', () => {
  const RACERS = 24;
  const ROUNDS = 3;

  it(`of ${RACERS} simultaneous old-password logins per round, each is refused or revoked by the change (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { email, a, b } = await userOnTwoDevices();
      // Each racer on a device of its own, so that none replaces another (REPLACED).
      const race = (index: number) => logIn(onDevice(t.api, `racer-${round}-${index}/1.0`), email, PASSWORD);
      const before = Array.from({ length: RACERS / 2 }, (_, index) => race(index));
      const change = changePassword(t.api, a.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
      const after = Array.from({ length: RACERS / 2 }, (_, index) => race(RACERS / 2 + index));
      const [changed, ...racers] = await Promise.all([change, ...before, ...after]);

      expect(changed.status).toBe(200);
      expect(changed.errors).toBeUndefined();
      // Every racer either logged in or was told the password was wrong; nothing else.
      for (const racer of racers) {
        if (racer.errors) expect(onlyError(racer)).toEqual(invalidCredentials);
        else expect(racer.status).toBe(200);
      }
      const succeeded = racers.flatMap((racer) => (racer.data?.login ? [racer.data.login] : []));
      console.log(`round ${round}: ${succeeded.length} of ${RACERS} old-password logins committed before the change, the rest refused`);

      // The logins that got in did so before the change, which then revoked them (and B) in its transaction.
      expect(changed.data).toEqual({ changePassword: succeeded.length + 1 });
      expect((await myLogins(t.api, a.token, false)).map((login) => login.id)).toEqual([a.login.id]);
      const history = new Map((await myLogins(t.api, a.token, true)).map((login) => [login.id, login]));
      for (const login of [b, ...succeeded]) {
        expect(history.get(login.login.id)).toMatchObject({ revokedReason: 'PASSWORD_CHANGED', revokedAt: expect.any(String) });
        expect(onlyError(await t.api.withToken(login.token).request(ME))).toEqual(revokedBy('PASSWORD_CHANGED'));
      }
      expect(onlyError(await logIn(t.api, email, PASSWORD))).toEqual(invalidCredentials);
      expect((await logIn(t.api, email, NEW_PASSWORD)).status).toBe(200);
    }
  });
});
