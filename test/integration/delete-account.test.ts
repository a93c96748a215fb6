import { afterEach, describe, expect, it } from 'vitest';
import { CHROME_MAC, FIREFOX_LINUX, SAFARI_IPHONE, useTestServer, useTestServerOn, type ServerFixture } from '../helpers/fixture';
import { errorCodes, type GraphQLClient, type GraphQLResponse } from '../helpers/graphql-client';
import { LOGIN, LOGOUT_DEVICE, ME, PASSWORD, REGISTER, logInUser, registerUser, uniqueEmail, type AuthPayloadView } from '../helpers/operations';
import { subscriptionClients } from '../helpers/subscription-client';

/** Issue 14: deleteAccount removes the user and every login of it, in one transaction. */
const t = useTestServer();

const DELETE_ACCOUNT = `mutation DeleteAccount($password: String!) { deleteAccount(password: $password) }`;

const onDevice = (api: GraphQLClient, agent: string) => api.withHeaders({ 'user-agent': agent });

function deleteAccount(api: GraphQLClient, token: string | undefined, password: string) {
  return api.request<{ deleteAccount: boolean }>(DELETE_ACCOUNT, { token, variables: { password } });
}

function onlyError(response: GraphQLResponse<unknown>) {
  expect(response.errors).toHaveLength(1);
  return { status: response.status, extensions: response.errors![0]!.extensions };
}

const invalidCredentials = { status: 200, extensions: { code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' } };
const invalidToken = { status: 401, extensions: { code: 'UNAUTHENTICATED', reason: 'INVALID_TOKEN' } };

/** One user on three devices, and one of its logins already revoked (history the deletion must take too). */
async function userOnThreeDevices(api: GraphQLClient = t.api) {
  const email = uniqueEmail('delete');
  const laptop = await registerUser(onDevice(api, FIREFOX_LINUX), email);
  const phone = await logInUser(onDevice(api, SAFARI_IPHONE), email);
  const mac = await logInUser(onDevice(api, CHROME_MAC), email);
  const old = await logInUser(onDevice(api, 'old-device/1.0'), email);
  await api.withToken(laptop.token).ok(LOGOUT_DEVICE, { variables: { loginId: old.login.id } });
  return { email, userId: laptop.user.id, devices: [laptop, phone, mac], old };
}

/** What the database holds of the user: its row and its logins (active and revoked). */
async function rowsOf(fixture: ServerFixture, userId: string) {
  const users = await fixture.db.query<{ id: string }>('select id from users where id = $1', [userId]);
  const logins = await fixture.db.query<{ id: string }>('select id from user_logins where user_id = $1', [userId]);
  return { users: users.length, logins: logins.length };
}

describe('deleteAccount with the right password', () => {
  const clients = subscriptionClients();
  afterEach(() => clients.closeAll(t.server));

  it('deletes the user and all its logins, closes every socket with INVALID_TOKEN and refuses every token', async () => {
    const { email, userId, devices, old } = await userOnThreeDevices();
    const stranger = await registerUser(t.api);
    const sockets = [];
    for (const [index, device] of devices.entries()) sockets.push(await clients.subscribe(t.server, { token: device.token }, index + 1));
    const onStranger = await clients.subscribe(t.server, { token: stranger.token }, devices.length + 1);
    expect(await rowsOf(t, userId)).toEqual({ users: 1, logins: 4 });

    const [laptop] = devices;
    expect(await deleteAccount(t.api, laptop!.token, PASSWORD)).toEqual({ status: 200, data: { deleteAccount: true } });

    expect(await rowsOf(t, userId)).toEqual({ users: 0, logins: 0 });
    expect(await t.db.query('select id from users where email = $1', [email])).toEqual([]);

    // Every socket of the user, the caller's included, closes: its token names no login now.
    for (const socket of sockets) {
      expect(await socket.closed).toMatchObject({ code: 4401, reason: 'Session ended (INVALID_TOKEN)' });
      expect(socket.errors).toEqual([]);
    }
    for (const token of [...devices.map((device) => device.token), old.token]) {
      expect(onlyError(await t.api.withToken(token).request(ME))).toEqual(invalidToken);
    }
    expect(onlyError(await deleteAccount(t.api, laptop!.token, PASSWORD))).toEqual(invalidToken);
    // Nor can a socket open with one of them.
    const late = clients.open(t.server.url, { token: devices[1]!.token });
    expect(await late.closed).toMatchObject({ code: 4401, reason: 'Session ended (INVALID_TOKEN)' });

    // The password no longer opens anything.
    expect(onlyError(await t.api.request(LOGIN, { variables: { input: { email, password: PASSWORD } } }))).toEqual(invalidCredentials);

    // Another user is untouched: rows, token, and a socket that still hears of their activity.
    expect(await rowsOf(t, stranger.user.id)).toEqual({ users: 1, logins: 1 });
    expect(await t.api.withToken(stranger.token).ok(ME)).toEqual({ me: stranger.user });
    const strangerElsewhere = await logInUser(onDevice(t.api, CHROME_MAC), stranger.user.email);
    const [heard] = await onStranger.waitForEvents(1);
    expect(heard).toMatchObject({ kind: 'LOGIN', login: { id: strangerElsewhere.login.id } });
    expect(onStranger.isClosed).toBe(false);
  });

  it('frees the email: it registers again, as a new user whose token the old ones do not become', async () => {
    const { email, userId, devices } = await userOnThreeDevices();
    await deleteAccount(t.api, devices[0]!.token, PASSWORD);

    const again = await t.api.request<{ register: AuthPayloadView }>(REGISTER, { variables: { input: { email, password: 'another passphrase' } } });
    expect(again.status).toBe(200);
    const registered = again.data!.register;
    expect(registered.user.email).toBe(email);
    expect(registered.user.id).not.toBe(userId);
    expect(await t.api.withToken(registered.token).ok(ME)).toEqual({ me: registered.user });
    for (const device of devices) expect(onlyError(await t.api.withToken(device.token).request(ME))).toEqual(invalidToken);
    expect(await rowsOf(t, registered.user.id)).toEqual({ users: 1, logins: 1 });
  });
});

describe('deleteAccount refused', () => {
  it('for a wrong password: INVALID_CREDENTIALS with HTTP 200, and nothing is deleted', async () => {
    const { email, userId, devices } = await userOnThreeDevices();
    const response = await deleteAccount(t.api, devices[1]!.token, 'not the password');
    expect(onlyError(response)).toEqual(invalidCredentials);
    expect(response.data).toBeNull();

    expect(await rowsOf(t, userId)).toEqual({ users: 1, logins: 4 });
    for (const device of devices) expect(await t.api.withToken(device.token).ok(ME)).toEqual({ me: device.user });
    expect((await t.api.request(LOGIN, { variables: { input: { email, password: PASSWORD } } })).status).toBe(200);
  });

  it('without a token: LOGIN_REQUIRED (HTTP 200)', async () => {
    const response = await deleteAccount(t.api, undefined, PASSWORD);
    expect(onlyError(response)).toEqual({ status: 200, extensions: { code: 'UNAUTHENTICATED', reason: 'LOGIN_REQUIRED' } });
  });
});

describe('the failed-login limits count wrong passwords of deleteAccount', () => {
  const FAILURES_PER_EMAIL_IP = 3;
  const limited = useTestServerOn(t, { RATE_LIMIT_LOGIN_FAILURES_PER_EMAIL_IP: String(FAILURES_PER_EMAIL_IP) });
  let nextHost = 0;
  const fromNewIp = () => limited.api.fromIp(`127.0.15.${(nextHost += 1) + 1}`);

  it(`after ${FAILURES_PER_EMAIL_IP} wrong passwords, deleteAccount and login of that email from that IP get 429, and nothing is deleted`, async () => {
    const api = fromNewIp();
    const { email, userId, devices } = await userOnThreeDevices(api);
    const token = devices[0]!.token;
    for (let attempt = 1; attempt <= FAILURES_PER_EMAIL_IP; attempt++) {
      expect(onlyError(await deleteAccount(api, token, `guess-${attempt}-wrong`))).toEqual(invalidCredentials);
    }

    const blocked = await deleteAccount(api, token, PASSWORD);
    expect(blocked.status).toBe(429);
    expect(errorCodes(blocked)).toEqual(['TOO_MANY_REQUESTS']);
    const login = await api.request(LOGIN, { variables: { input: { email, password: PASSWORD } } });
    expect(login.status).toBe(429);
    expect(errorCodes(login)).toEqual(['TOO_MANY_REQUESTS']);
    expect(await rowsOf(limited, userId)).toEqual({ users: 1, logins: 4 });

    // The limit is per email and IP: the same token from another address still deletes the account.
    expect(await deleteAccount(fromNewIp(), token, PASSWORD)).toEqual({ status: 200, data: { deleteAccount: true } });
    expect(await rowsOf(limited, userId)).toEqual({ users: 0, logins: 0 });
  });
});

describe('logins racing a deletion', () => {
  const RACERS = 20;

  it(`of ${RACERS} simultaneous logins, none outlives the account: each is refused, or deleted with it`, async () => {
    for (let round = 0; round < 3; round++) {
      const { email, userId, devices } = await userOnThreeDevices();
      const race = (index: number) =>
        t.api
          .withHeaders({ 'user-agent': `racer-${round}-${index}/1.0` })
          .request<{ login: AuthPayloadView }>(LOGIN, { variables: { input: { email, password: PASSWORD } } });
      const before = Array.from({ length: RACERS / 2 }, (_, index) => race(index));
      const deletion = deleteAccount(t.api, devices[0]!.token, PASSWORD);
      const after = Array.from({ length: RACERS / 2 }, (_, index) => race(RACERS / 2 + index));
      const [deleted, ...racers] = await Promise.all([deletion, ...before, ...after]);

      expect(deleted).toEqual({ status: 200, data: { deleteAccount: true } });
      for (const racer of racers) {
        if (racer.errors) expect(onlyError(racer)).toEqual(invalidCredentials);
        else expect(racer.status).toBe(200);
      }
      const succeeded = racers.flatMap((racer) => (racer.data?.login ? [racer.data.login] : []));
      console.log(`round ${round}: ${succeeded.length} of ${RACERS} logins committed before the deletion, the rest refused`);
      expect(await rowsOf(t, userId)).toEqual({ users: 0, logins: 0 });
      for (const login of succeeded) expect(onlyError(await t.api.withToken(login.token).request(ME))).toEqual(invalidToken);
    }
  });
});
