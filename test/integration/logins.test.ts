import { describe, expect, it } from 'vitest';
import { errorCodes, type GraphQLClient } from '../helpers/graphql-client';
import { CHROME_MAC, FIREFOX_LINUX, SAFARI_IPHONE, useTestServer, useTestServerOn } from '../helpers/fixture';
import {
  LOGOUT,
  LOGOUT_ALL,
  LOGOUT_DEVICE,
  ME,
  MY_LOGINS,
  logInUser,
  registerUser,
  uniqueEmail,
  type LoginView,
} from '../helpers/operations';

const t = useTestServer();

/** One user signed in on three devices: a Linux laptop, an iPhone and a Mac. */
async function userOnThreeDevices() {
  const email = uniqueEmail();
  const laptop = await registerUser(t.api.withHeaders({ 'user-agent': FIREFOX_LINUX }), email);
  const phone = await logInUser(t.api.withHeaders({ 'user-agent': SAFARI_IPHONE }), email);
  const mac = await logInUser(t.api.withHeaders({ 'user-agent': CHROME_MAC }), email);
  return {
    email,
    userId: laptop.user.id,
    laptop: { client: t.api.withToken(laptop.token), login: laptop.login },
    phone: { client: t.api.withToken(phone.token), login: phone.login },
    mac: { client: t.api.withToken(mac.token), login: mac.login },
  };
}

async function myLogins(client: GraphQLClient, includeRevoked = false): Promise<LoginView[]> {
  return (await client.ok<{ myLogins: LoginView[] }>(MY_LOGINS, { variables: { includeRevoked } })).myLogins;
}

async function expectRejected(client: GraphQLClient) {
  const response = await client.request(ME);
  expect(response.status).toBe(401);
  expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
}

describe('myLogins', () => {
  it('lists the active logins newest first, marking the one making the request as current', async () => {
    const { phone, laptop, mac } = await userOnThreeDevices();
    const logins = await myLogins(phone.client);
    expect(logins.map((login) => login.id)).toEqual([mac.login.id, phone.login.id, laptop.login.id]);
    expect(logins.map((login) => login.current)).toEqual([false, true, false]);
    expect(logins.map((login) => login.device)).toEqual(['Chrome 130 on macOS', 'Safari 17 on iOS', 'Firefox 132 on Linux']);
    expect(logins[2]).toMatchObject({ ipAddress: '127.0.0.1', userAgent: FIREFOX_LINUX, revokedAt: null, revokedReason: null });
  });

  it('includes revoked logins, with when and why, only when asked', async () => {
    const { laptop, phone } = await userOnThreeDevices();
    await laptop.client.ok(LOGOUT_DEVICE, { variables: { loginId: phone.login.id } });

    expect((await myLogins(laptop.client)).map((login) => login.id)).not.toContain(phone.login.id);
    const revoked = (await myLogins(laptop.client, true)).find((login) => login.id === phone.login.id);
    expect(revoked?.revokedReason).toBe('LOGOUT');
    expect(revoked?.revokedAt).not.toBeNull();
  });

  it('shows nothing of other users', async () => {
    const alice = await userOnThreeDevices();
    const bob = await registerUser(t.api);
    const logins = await myLogins(t.api.withToken(bob.token));
    expect(logins.map((login) => login.id)).toEqual([bob.login.id]);
    expect(logins.map((login) => login.id)).not.toContain(alice.laptop.login.id);
  });

  it('lists all of 20 logins made at the same time by one user', async () => {
    const email = uniqueEmail();
    const first = await registerUser(t.api, email);
    const logins = await Promise.all(
      Array.from({ length: 20 }, (_, device) => logInUser(t.api.withHeaders({ 'user-agent': `device-${device}/1.0` }), email)),
    );
    const listed = await myLogins(t.api.withToken(first.token));
    expect(listed).toHaveLength(21);
    expect(new Set(listed.map((login) => login.id))).toEqual(new Set([first.login.id, ...logins.map((payload) => payload.login.id)]));
  });
});

describe('logoutDevice', () => {
  it('revokes another device: true, and that device is refused on its very next request', async () => {
    const { laptop, phone, mac } = await userOnThreeDevices();
    expect(await laptop.client.ok(LOGOUT_DEVICE, { variables: { loginId: phone.login.id } })).toEqual({ logoutDevice: true });
    await expectRejected(phone.client);
    await laptop.client.ok(ME);
    await mac.client.ok(ME);
  });

  it('returns false for a login already revoked', async () => {
    const { laptop, phone } = await userOnThreeDevices();
    await laptop.client.ok(LOGOUT_DEVICE, { variables: { loginId: phone.login.id } });
    expect(await laptop.client.ok(LOGOUT_DEVICE, { variables: { loginId: phone.login.id } })).toEqual({ logoutDevice: false });
  });

  it('can revoke the current login: the same token is refused next', async () => {
    const { laptop } = await userOnThreeDevices();
    expect(await laptop.client.ok(LOGOUT_DEVICE, { variables: { loginId: laptop.login.id } })).toEqual({ logoutDevice: true });
    await expectRejected(laptop.client);
  });

  it("answers NOT_FOUND for an unknown id or another user's login, and changes nothing", async () => {
    const alice = await userOnThreeDevices();
    const bob = await registerUser(t.api);
    const bobClient = t.api.withToken(bob.token);

    for (const loginId of [alice.phone.login.id, '00000000-0000-4000-8000-000000000000']) {
      const response = await bobClient.request(LOGOUT_DEVICE, { variables: { loginId } });
      expect(response.status).toBe(200);
      expect(errorCodes(response)).toEqual(['NOT_FOUND']);
    }
    await alice.phone.client.ok(ME);
    const revoked = await t.db.query('select id from user_logins where revoked_at is not null and user_id in ($1, $2)', [
      alice.userId,
      bob.user.id,
    ]);
    expect(revoked).toEqual([]);
  });

  it('answers BAD_USER_INPUT for an id that is not a UUID', async () => {
    const { laptop } = await userOnThreeDevices();
    for (const loginId of ['42', 'not-a-uuid', "'; drop table user_logins; --"]) {
      const response = await laptop.client.request(LOGOUT_DEVICE, { variables: { loginId } });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    }
    await laptop.client.ok(ME);
  });
});

describe('logout', () => {
  it('revokes the current login only', async () => {
    const { laptop, phone } = await userOnThreeDevices();
    expect(await laptop.client.ok(LOGOUT)).toEqual({ logout: true });
    await expectRejected(laptop.client);
    const logins = await myLogins(phone.client, true);
    expect(logins.find((login) => login.id === laptop.login.id)?.revokedReason).toBe('LOGOUT');
  });
});

describe('logoutAll', () => {
  it('revokes every login, the current one included, and returns how many', async () => {
    const { laptop, phone, mac } = await userOnThreeDevices();
    expect(await laptop.client.ok(LOGOUT_ALL)).toEqual({ logoutAll: 3 });
    for (const device of [laptop, phone, mac]) await expectRejected(device.client);
  });

  it('with keepCurrent, revokes all the others and keeps this one', async () => {
    const { laptop, phone, mac } = await userOnThreeDevices();
    await laptop.client.ok(LOGOUT_DEVICE, { variables: { loginId: mac.login.id } });

    expect(await laptop.client.ok(LOGOUT_ALL, { variables: { keepCurrent: true } })).toEqual({ logoutAll: 1 });
    await expectRejected(phone.client);
    await expectRejected(mac.client);
    const logins = await myLogins(laptop.client, true);
    expect(logins.map((login) => [login.id, login.revokedReason])).toEqual([
      [mac.login.id, 'LOGOUT'],
      [phone.login.id, 'LOGOUT_ALL'],
      [laptop.login.id, null],
    ]);
  });

  it("leaves other users' logins alone", async () => {
    const alice = await userOnThreeDevices();
    const bob = await registerUser(t.api);
    await alice.laptop.client.ok(LOGOUT_ALL);
    await t.api.withToken(bob.token).ok(ME);
  });
});

describe('one active login per device', () => {
  it('a new login from the same IP and user agent replaces the older one (REPLACED)', async () => {
    const email = uniqueEmail();
    const firefox = t.api.withHeaders({ 'user-agent': FIREFOX_LINUX });
    const first = await registerUser(firefox, email);
    const second = await logInUser(firefox, email);

    await expectRejected(t.api.withToken(first.token));
    const logins = await myLogins(t.api.withToken(second.token), true);
    expect(logins.map((login) => [login.id, login.revokedReason, login.current])).toEqual([
      [second.login.id, null, true],
      [first.login.id, 'REPLACED', false],
    ]);
  });

  it('keeps logins from another user agent or another IP address', async () => {
    const email = uniqueEmail();
    const first = await registerUser(t.api.withHeaders({ 'user-agent': FIREFOX_LINUX }), email);
    await logInUser(t.api.withHeaders({ 'user-agent': CHROME_MAC }), email);
    await t.api.withToken(first.token).ok(ME);
  });

  it('leaves exactly one active login when one device logs in 10 times at once', async () => {
    const email = uniqueEmail();
    await registerUser(t.api.withHeaders({ 'user-agent': 'other-device/1.0' }), email);
    const sameDevice = t.api.withHeaders({ 'user-agent': SAFARI_IPHONE });
    const payloads = await Promise.all(Array.from({ length: 10 }, () => logInUser(sameDevice, email)));

    const rows = await t.db.query<{ id: string; revoked_reason: string | null }>(
      `select l.id, l.revoked_reason from user_logins l join users u on u.id = l.user_id
       where u.email = $1 and l.user_agent = $2`,
      [email, SAFARI_IPHONE],
    );
    expect(rows).toHaveLength(10);
    expect(rows.filter((row) => row.revoked_reason === null)).toHaveLength(1);
    expect(rows.filter((row) => row.revoked_reason === 'REPLACED')).toHaveLength(9);
    const survivor = rows.find((row) => row.revoked_reason === null)!;
    expect(payloads.map((payload) => payload.login.id)).toContain(survivor.id);
  });
});

describe('the limit of active logins per user', () => {
  const limited = useTestServerOn(t, { MAX_ACTIVE_LOGINS: '3' });

  it('revokes the oldest logins beyond it (LOGIN_LIMIT)', async () => {
    const email = uniqueEmail();
    const payloads = [await registerUser(limited.api.withHeaders({ 'user-agent': 'device-1/1' }), email)];
    for (let device = 2; device <= 5; device++) {
      payloads.push(await logInUser(limited.api.withHeaders({ 'user-agent': `device-${device}/1` }), email));
    }
    const newest = limited.api.withToken(payloads[4]!.token);
    const logins = await newest.ok<{ myLogins: LoginView[] }>(MY_LOGINS, { variables: { includeRevoked: true } });
    expect(logins.myLogins.map((login) => login.revokedReason)).toEqual([null, null, null, 'LOGIN_LIMIT', 'LOGIN_LIMIT']);
    const response = await limited.api.withToken(payloads[0]!.token).request(ME);
    expect(response.status).toBe(401);
  });
});
