import { beforeEach, describe, expect, it } from 'vitest';
import { errorCodes } from '../helpers/graphql-client';
import { useProxiedTestServer } from '../helpers/fixture';
import { LOGIN, LOGOUT_ALL, ME, PASSWORD, REGISTER, logInUser, registerUser, uniqueEmail } from '../helpers/operations';
import { SubscriptionClient } from '../helpers/subscription-client';
import { asAdmin } from '../helpers/test-database';

/** The server reaches its database only through a proxy the tests cut, freeze and restore. */
const t = useProxiedTestServer();
const healthStatus = async () => (await fetch(new URL('/healthz', t.server.url))).status;

beforeEach(async () => {
  await t.proxy.restore();
  await expect.poll(healthStatus, { timeout: 10_000 }).toBe(200);
});

describe('the database going away under traffic', () => {
  it('turns in-flight and new requests into 503s, not hangs or crashes, and recovers without a restart', async () => {
    const email = uniqueEmail();
    const { token } = await registerUser(t.api, email);
    const client = t.api.withToken(token);

    let running = true;
    const statuses: number[] = [];
    const workers = Array.from({ length: 8 }, async () => {
      while (running) statuses.push((await client.request(ME)).status);
    });

    // Traffic is flowing: every worker has had (about) one answer.
    await expect.poll(() => statuses.filter((status) => status === 200).length, { timeout: 10_000, interval: 10 }).toBeGreaterThanOrEqual(8);
    await t.proxy.cut();
    // The traffic meets the cut: requests in flight, or sent since, come back as 503s.
    await expect.poll(() => statuses.includes(503), { timeout: 10_000, interval: 10 }).toBe(true);
    const during = await client.request(ME);
    expect(during.status).toBe(503);
    expect(errorCodes(during)).toEqual(['SERVICE_UNAVAILABLE']);
    const anonymous = await t.api.request(LOGIN, { variables: { input: { email, password: PASSWORD } } });
    expect(anonymous.status).toBe(503);
    expect(errorCodes(anonymous)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(await healthStatus()).toBe(503);

    const restoredAt = performance.now();
    await t.proxy.restore();
    await expect.poll(async () => (await client.request(ME)).status, { timeout: 10_000, interval: 20 }).toBe(200);
    const recoveryMs = performance.now() - restoredAt;
    running = false;
    await Promise.all(workers);

    console.log(`recovered ${recoveryMs.toFixed(0)} ms after the database came back`);
    expect(new Set(statuses)).toEqual(new Set([200, 503]));
    expect(await healthStatus()).toBe(200);
  });

  it('answers 503 when the network silently drops everything, after the bounded query timeout', async () => {
    const { token } = await registerUser(t.api);
    t.proxy.freeze();
    const response = await t.api.withToken(token).request(ME);
    expect(response.status).toBe(503);
    expect(errorCodes(response)).toEqual(['SERVICE_UNAVAILABLE']);
    await t.proxy.restore();
    await expect.poll(async () => (await t.api.withToken(token).request(ME)).status, { timeout: 10_000 }).toBe(200);
  });
});

describe('the database refusing connections', () => {
  it('(an administrator closing it and killing its sessions) answers 503, and recovers when it reopens', async () => {
    const { token } = await registerUser(t.api);
    await asAdmin(`alter database "${t.db.name}" allow_connections false`);
    try {
      await asAdmin(`select pg_terminate_backend(pid) from pg_stat_activity where datname = '${t.db.name}'`);
      const response = await t.api.withToken(token).request(ME);
      expect(response.status).toBe(503);
      expect(errorCodes(response)).toEqual(['SERVICE_UNAVAILABLE']);
    } finally {
      await asAdmin(`alter database "${t.db.name}" allow_connections true`);
    }
    await expect.poll(async () => (await t.api.withToken(token).request(ME)).status, { timeout: 10_000 }).toBe(200);
  });
});

describe('a subscription connecting while the database is down', () => {
  it('is closed with 1013 (try again later), not 4401: its token was not found wanting', async () => {
    const { token } = await registerUser(t.api);
    await t.proxy.cut();
    const subscription = new SubscriptionClient(t.server.url, { token });
    expect((await subscription.closed).code).toBe(1013);
    expect(subscription.events).toEqual([]);
    await subscription.close();
  });
});

describe('a fault in the middle of a write', () => {
  it('login: the replacement of the old device login is rolled back with the new login', async () => {
    const email = uniqueEmail();
    const device = t.api.withHeaders({ 'user-agent': 'fault-device/1.0' });
    const first = await registerUser(device, email);

    // The REPLACED update has run inside the transaction when the insert is cut off.
    const tripped = t.proxy.cutWhenSent(/insert into "user_logins"/);
    const response = await device.request(LOGIN, { variables: { input: { email, password: PASSWORD } } });
    await tripped;
    expect(response.status).toBe(503);
    expect(errorCodes(response)).toEqual(['SERVICE_UNAVAILABLE']);

    await t.proxy.restore();
    const rows = await t.db.query<{ id: string; revoked_reason: string | null }>(
      'select id, revoked_reason from user_logins where user_id = $1',
      [first.user.id],
    );
    expect(rows).toEqual([{ id: first.login.id, revoked_reason: null }]);
    await t.api.withToken(first.token).ok(ME);
  });

  it('register: no user is left without its login', async () => {
    const email = uniqueEmail();
    const tripped = t.proxy.cutWhenSent(/insert into "user_logins"/);
    const response = await t.api.request(REGISTER, { variables: { input: { email, password: PASSWORD } } });
    await tripped;
    expect(response.status).toBe(503);

    await t.proxy.restore();
    expect(await t.db.query('select 1 from users where email = $1', [email])).toEqual([]);
    await registerUser(t.api, email);
  });

  it('gives back every connection whose transaction was cut, however many: the pool never runs dry', async () => {
    const email = uniqueEmail();
    await registerUser(t.api, email);
    // More cut transactions than the pool has connections (10): each one whose ROLLBACK failed on the
    // dead connection would otherwise stay checked out for good.
    for (let fault = 0; fault < 12; fault++) {
      const tripped = t.proxy.cutWhenSent(/insert into "user_logins"/);
      const response = await t.api.withHeaders({ 'user-agent': `pool-${fault}/1` }).request(LOGIN, {
        variables: { input: { email, password: PASSWORD } },
      });
      await tripped;
      expect(response.status).toBe(503);
      await t.proxy.restore();
    }
    const { token } = await logInUser(t.api, email);
    await t.api.withToken(token).ok(ME);
  });

  it('logoutAll: revokes all the logins or none', async () => {
    const email = uniqueEmail();
    const first = await registerUser(t.api.withHeaders({ 'user-agent': 'a/1' }), email);
    for (const agent of ['b/1', 'c/1', 'd/1']) await logInUser(t.api.withHeaders({ 'user-agent': agent }), email);

    const tripped = t.proxy.cutWhenSent(/update "user_logins"/);
    const response = await t.api.withToken(first.token).request(LOGOUT_ALL);
    await tripped;
    expect(response.status).toBe(503);

    await t.proxy.restore();
    const active = async () =>
      (await t.db.query('select 1 from user_logins where user_id = $1 and revoked_at is null', [first.user.id])).length;
    expect(await active()).toBe(4);
    expect(await t.api.withToken(first.token).ok(LOGOUT_ALL)).toEqual({ logoutAll: 4 });
    expect(await active()).toBe(0);
  });
});
