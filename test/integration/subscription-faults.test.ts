import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/app';
import { GraphQLClient } from '../helpers/graphql-client';
import { LOGOUT_DEVICE, ME, logInUser, registerUser, uniqueEmail } from '../helpers/operations';
import { subscriptionClients } from '../helpers/subscription-client';
import { TcpProxy } from '../helpers/tcp-proxy';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { startTestServer } from '../helpers/test-server';

/**
 * The servers reach the database directly for everything but their LISTEN connection, which goes
 * through a proxy the tests cut and restore: the bus fails while the rest keeps working.
 */
let db: TestDatabase;
let proxy: TcpProxy;
/** Re-checks sessions at the default interval (60 s), so only the bus coming back can close a socket. */
let server: RunningServer;
/** Re-checks every second. */
let rechecking: RunningServer;

beforeAll(async () => {
  db = await createTestDatabase();
  proxy = await TcpProxy.inFrontOf(db.url);
  const listenThroughProxy = { LISTEN_DATABASE_URL: proxy.proxiedUrl(db.url) };
  server = await startTestServer(db.url, listenThroughProxy);
  rechecking = await startTestServer(db.url, { ...listenThroughProxy, SUBSCRIPTION_RECHECK_INTERVAL: '1s' });
});
afterAll(async () => {
  await Promise.all([server?.stop(), rechecking?.stop()]);
  await proxy?.cut();
  await db?.drop();
});

const clients = subscriptionClients();
const eventsState = (instance: RunningServer) => () => instance.liveStatus().events;
const health = async (instance: RunningServer) => {
  const response = await fetch(new URL('/healthz', instance.url));
  return { status: response.status, body: await response.json() };
};
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeEach(async () => {
  await proxy.restore();
  // The backoff tops out at 5 s.
  await expect.poll(eventsState(server), { timeout: 10_000 }).toBe('listening');
  await expect.poll(eventsState(rechecking), { timeout: 10_000 }).toBe('listening');
});
afterEach(() => clients.closeAll(server, rechecking));

async function cutTheBus() {
  await proxy.cut();
  await expect.poll(eventsState(server), { timeout: 5_000 }).toBe('reconnecting');
  await expect.poll(eventsState(rechecking), { timeout: 5_000 }).toBe('reconnecting');
}

describe('the LISTEN connection cut and restored', () => {
  it('events flow again without a restart; nothing is sent while it is down; HTTP revocation keeps working', async () => {
    const api = new GraphQLClient(server.url);
    const email = uniqueEmail();
    const laptop = await registerUser(api.withHeaders({ 'user-agent': 'laptop/1' }), email);
    const subscription = await clients.subscribe(server, { token: laptop.token }, 1);
    const phone = await logInUser(api.withHeaders({ 'user-agent': 'phone/1' }), email);
    await subscription.waitForEvents(1);

    await cutTheBus();
    expect(await health(server)).toEqual({ status: 200, body: { status: 'ok', events: 'reconnecting' } });
    // Missed for good: a new login, and a revocation, which HTTP enforces all the same.
    await logInUser(api.withHeaders({ 'user-agent': 'tablet/1' }), email);
    await api.withToken(laptop.token).ok(LOGOUT_DEVICE, { variables: { loginId: phone.login.id } });
    expect((await api.withToken(phone.token).request(ME)).status).toBe(401);
    await pause(300);
    expect(subscription.events).toHaveLength(1);
    expect(subscription.isClosed).toBe(false);

    await proxy.restore();
    await expect.poll(eventsState(server), { timeout: 10_000 }).toBe('listening');
    expect(await health(server)).toEqual({ status: 200, body: { status: 'ok', events: 'listening' } });
    const desktop = await logInUser(api.withHeaders({ 'user-agent': 'desktop/1' }), email);
    const events = await subscription.waitForEvents(2);
    expect(events.map((event) => [event.kind, event.login.id])).toEqual([
      ['LOGIN', phone.login.id],
      ['LOGIN', desktop.login.id],
    ]);
  });

  it('a login revoked while it is down has its socket closed when it is back (the sessions are checked again)', async () => {
    const api = new GraphQLClient(server.url);
    const email = uniqueEmail();
    const laptop = await registerUser(api.withHeaders({ 'user-agent': 'laptop/1' }), email);
    const phone = await logInUser(api.withHeaders({ 'user-agent': 'phone/1' }), email);
    const onPhone = await clients.subscribe(server, { token: phone.token }, 1);

    await cutTheBus();
    await api.withToken(laptop.token).ok(LOGOUT_DEVICE, { variables: { loginId: phone.login.id } });
    await pause(300);
    expect(onPhone.isClosed).toBe(false);

    await proxy.restore();
    const closed = await onPhone.closed;
    expect(closed.code).toBe(4401);
    expect(onPhone.events).toEqual([
      expect.objectContaining({ kind: 'REVOKED', login: expect.objectContaining({ id: phone.login.id, current: true, revokedReason: 'LOGOUT' }) }),
    ]);
  });

  it('the periodic re-check (SUBSCRIPTION_RECHECK_INTERVAL) closes it even while the bus stays down', async () => {
    const api = new GraphQLClient(rechecking.url);
    const email = uniqueEmail();
    const laptop = await registerUser(api.withHeaders({ 'user-agent': 'laptop/1' }), email);
    const phone = await logInUser(api.withHeaders({ 'user-agent': 'phone/1' }), email);
    const onPhone = await clients.subscribe(rechecking, { token: phone.token }, 1);

    await cutTheBus();
    await api.withToken(laptop.token).ok(LOGOUT_DEVICE, { variables: { loginId: phone.login.id } });
    const closed = await onPhone.closed;
    expect(closed.code).toBe(4401);
    expect(rechecking.liveStatus().events).toBe('reconnecting');
    expect(onPhone.events).toEqual([expect.objectContaining({ kind: 'REVOKED', login: expect.objectContaining({ id: phone.login.id }) })]);
  });
});
