import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/app';
import { GraphQLClient, errorCodes } from '../helpers/graphql-client';
import { LOGIN, LOGOUT_ALL, ME, PASSWORD, REGISTER, logInUser, registerUser, uniqueEmail } from '../helpers/operations';
import { SubscriptionClient } from '../helpers/subscription-client';
import { TcpProxy } from '../helpers/tcp-proxy';
import { asAdmin, createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { startTestServer } from '../helpers/test-server';

/** The server reaches its database only through a proxy the tests cut, freeze and restore. */
let db: TestDatabase;
let proxy: TcpProxy;
let server: RunningServer;
let api: GraphQLClient;

beforeAll(async () => {
  db = await createTestDatabase();
  proxy = await TcpProxy.inFrontOf(db.url);
  server = await startTestServer(proxy.proxiedUrl(db.url));
  api = new GraphQLClient(server.url);
});
afterAll(async () => {
  await server?.stop();
  await proxy?.cut();
  await db?.drop();
});
const healthStatus = async () => (await fetch(new URL('/healthz', server.url))).status;

beforeEach(async () => {
  await proxy.restore();
  await expect.poll(healthStatus, { timeout: 10_000 }).toBe(200);
});

describe('the database going away under traffic', () => {
  it('turns in-flight and new requests into 503s, not hangs or crashes, and recovers without a restart', async () => {
    const email = uniqueEmail();
    const { token } = await registerUser(api, email);
    const client = api.withToken(token);

    let running = true;
    const statuses: number[] = [];
    const workers = Array.from({ length: 8 }, async () => {
      while (running) statuses.push((await client.request(ME)).status);
    });

    // Traffic is flowing: every worker has had (about) one answer.
    await expect.poll(() => statuses.filter((status) => status === 200).length, { timeout: 10_000, interval: 10 }).toBeGreaterThanOrEqual(8);
    await proxy.cut();
    // The traffic meets the cut: requests in flight, or sent since, come back as 503s.
    await expect.poll(() => statuses.includes(503), { timeout: 10_000, interval: 10 }).toBe(true);
    const during = await client.request(ME);
    expect(during.status).toBe(503);
    expect(errorCodes(during)).toEqual(['SERVICE_UNAVAILABLE']);
    const anonymous = await api.request(LOGIN, { variables: { input: { email, password: PASSWORD } } });
    expect(anonymous.status).toBe(503);
    expect(errorCodes(anonymous)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(await healthStatus()).toBe(503);

    const restoredAt = performance.now();
    await proxy.restore();
    await expect.poll(async () => (await client.request(ME)).status, { timeout: 10_000, interval: 20 }).toBe(200);
    const recoveryMs = performance.now() - restoredAt;
    running = false;
    await Promise.all(workers);

    console.log(`recovered ${recoveryMs.toFixed(0)} ms after the database came back`);
    expect(new Set(statuses)).toEqual(new Set([200, 503]));
    expect(await healthStatus()).toBe(200);
  });

  it('answers 503 when the network silently drops everything, after the bounded query timeout', async () => {
    const { token } = await registerUser(api);
    proxy.freeze();
    const response = await api.withToken(token).request(ME);
    expect(response.status).toBe(503);
    expect(errorCodes(response)).toEqual(['SERVICE_UNAVAILABLE']);
    await proxy.restore();
    await expect.poll(async () => (await api.withToken(token).request(ME)).status, { timeout: 10_000 }).toBe(200);
  });
});

describe('the database refusing connections', () => {
  it('(an administrator closing it and killing its sessions) answers 503, and recovers when it reopens', async () => {
    const { token } = await registerUser(api);
    await asAdmin(`alter database "${db.name}" allow_connections false`);
    try {
      await asAdmin(`select pg_terminate_backend(pid) from pg_stat_activity where datname = '${db.name}'`);
      const response = await api.withToken(token).request(ME);
      expect(response.status).toBe(503);
      expect(errorCodes(response)).toEqual(['SERVICE_UNAVAILABLE']);
    } finally {
      await asAdmin(`alter database "${db.name}" allow_connections true`);
    }
    await expect.poll(async () => (await api.withToken(token).request(ME)).status, { timeout: 10_000 }).toBe(200);
  });
});

describe('a subscription connecting while the database is down', () => {
  it('is closed with 1013 (try again later), not 4401: its token was not found wanting', async () => {
    const { token } = await registerUser(api);
    await proxy.cut();
    const subscription = new SubscriptionClient(server.url, { token });
    expect((await subscription.closed).code).toBe(1013);
    expect(subscription.events).toEqual([]);
    await subscription.close();
  });
});

describe('a fault in the middle of a write', () => {
  it('login: the replacement of the old device login is rolled back with the new login', async () => {
    const email = uniqueEmail();
    const device = api.withHeaders({ 'user-agent': 'fault-device/1.0' });
    const first = await registerUser(device, email);

    // The REPLACED update has run inside the transaction when the insert is cut off.
    const tripped = proxy.cutWhenSent(/insert into "user_logins"/);
    const response = await device.request(LOGIN, { variables: { input: { email, password: PASSWORD } } });
    await tripped;
    expect(response.status).toBe(503);
    expect(errorCodes(response)).toEqual(['SERVICE_UNAVAILABLE']);

    await proxy.restore();
    const rows = await db.query<{ id: string; revoked_reason: string | null }>(
      'select id, revoked_reason from user_logins where user_id = $1',
      [first.user.id],
    );
    expect(rows).toEqual([{ id: first.login.id, revoked_reason: null }]);
    await api.withToken(first.token).ok(ME);
  });

  it('register: no user is left without its login', async () => {
    const email = uniqueEmail();
    const tripped = proxy.cutWhenSent(/insert into "user_logins"/);
    const response = await api.request(REGISTER, { variables: { input: { email, password: PASSWORD } } });
    await tripped;
    expect(response.status).toBe(503);

    await proxy.restore();
    expect(await db.query('select 1 from users where email = $1', [email])).toEqual([]);
    await registerUser(api, email);
  });

  it('gives back every connection whose transaction was cut, however many: the pool never runs dry', async () => {
    const email = uniqueEmail();
    await registerUser(api, email);
    // More cut transactions than the pool has connections (10): each one whose ROLLBACK failed on the
    // dead connection would otherwise stay checked out for good.
    for (let fault = 0; fault < 12; fault++) {
      const tripped = proxy.cutWhenSent(/insert into "user_logins"/);
      const response = await api.withHeaders({ 'user-agent': `pool-${fault}/1` }).request(LOGIN, {
        variables: { input: { email, password: PASSWORD } },
      });
      await tripped;
      expect(response.status).toBe(503);
      await proxy.restore();
    }
    const { token } = await logInUser(api, email);
    await api.withToken(token).ok(ME);
  });

  it('logoutAll: revokes all the logins or none', async () => {
    const email = uniqueEmail();
    const first = await registerUser(api.withHeaders({ 'user-agent': 'a/1' }), email);
    for (const agent of ['b/1', 'c/1', 'd/1']) await logInUser(api.withHeaders({ 'user-agent': agent }), email);

    const tripped = proxy.cutWhenSent(/update "user_logins"/);
    const response = await api.withToken(first.token).request(LOGOUT_ALL);
    await tripped;
    expect(response.status).toBe(503);

    await proxy.restore();
    const active = async () =>
      (await db.query('select 1 from user_logins where user_id = $1 and revoked_at is null', [first.user.id])).length;
    expect(await active()).toBe(4);
    expect(await api.withToken(first.token).ok(LOGOUT_ALL)).toEqual({ logoutAll: 4 });
    expect(await active()).toBe(0);
  });
});
