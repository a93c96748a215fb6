import pino from 'pino';
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
/** What `server` logs at warn and above: each failed attempt to LISTEN again is one line. */
const serverWarnings: Array<{ msg: string }> = [];
/** Re-checks every second. */
let rechecking: RunningServer;

beforeAll(async () => {
  db = await createTestDatabase();
  proxy = await TcpProxy.inFrontOf(db.url);
  const listenThroughProxy = { LISTEN_DATABASE_URL: proxy.proxiedUrl(db.url) };
  const logger = pino({ level: 'warn' }, { write: (line: string) => void serverWarnings.push(JSON.parse(line)) });
  server = await startTestServer(db.url, { ...listenThroughProxy, LOG_LEVEL: 'warn' }, logger);
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
const listenFailures = () => serverWarnings.filter((line) => /lost the LISTEN connection/.test(line.msg)).length;
/** Until `server` has tried to LISTEN again, and failed, once more: it has been down and working meanwhile. */
async function serverRetriedTheBus() {
  const before = listenFailures();
  await expect.poll(listenFailures, { timeout: 5_000, interval: 10 }).toBeGreaterThan(before);
  expect(server.liveStatus().events).toBe('reconnecting');
}

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
    expect(subscription.events).toHaveLength(1);
    expect(subscription.isClosed).toBe(false);

    await proxy.restore();
    await expect.poll(eventsState(server), { timeout: 10_000 }).toBe('listening');
    expect(await health(server)).toEqual({ status: 200, body: { status: 'ok', events: 'listening' } });
    const desktop = await logInUser(api.withHeaders({ 'user-agent': 'desktop/1' }), email);
    // A user's events go out in commit order: had the tablet's login or the phone's revocation been
    // sent (while down or since), it would have come before the desktop's login, which must come.
    await expect.poll(() => subscription.events.map((event) => event.login.id), { timeout: 5_000, interval: 10 }).toContain(desktop.login.id);
    expect(subscription.events.map((event) => [event.kind, event.login.id])).toEqual([
      ['LOGIN', phone.login.id],
      ['LOGIN', desktop.login.id],
    ]);
    expect(subscription.isClosed).toBe(false);
  });

  it('a login revoked while it is down has its socket closed when it is back (the sessions are checked again)', async () => {
    const api = new GraphQLClient(server.url);
    const email = uniqueEmail();
    const laptop = await registerUser(api.withHeaders({ 'user-agent': 'laptop/1' }), email);
    const phone = await logInUser(api.withHeaders({ 'user-agent': 'phone/1' }), email);
    const onPhone = await clients.subscribe(server, { token: phone.token }, 1);

    await cutTheBus();
    await api.withToken(laptop.token).ok(LOGOUT_DEVICE, { variables: { loginId: phone.login.id } });
    await serverRetriedTheBus();
    expect(onPhone.isClosed).toBe(false);

    const restoredAt = performance.now();
    await proxy.restore();
    const closed = await onPhone.closed;
    expect(closed.code).toBe(4401);
    // Open all the while the bus was down: closed only once it was back.
    expect(closed.at).toBeGreaterThan(restoredAt);
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
