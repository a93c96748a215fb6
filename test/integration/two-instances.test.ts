import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/app';
import { GraphQLClient, errorCodes } from '../helpers/graphql-client';
import { LOGOUT_ALL, LOGOUT_DEVICE, ME, logInUser, registerUser, uniqueEmail } from '../helpers/operations';
import { subscriptionClients } from '../helpers/subscription-client';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { startTestServer } from '../helpers/test-server';

/** Two server instances on one database, as behind a load balancer. */
let db: TestDatabase;
let a: RunningServer;
let b: RunningServer;
beforeAll(async () => {
  db = await createTestDatabase();
  a = await startTestServer(db.url);
  b = await startTestServer(db.url);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await db?.drop();
});

describe('two instances on one database', () => {
  it('a login revoked on instance A is refused by instance B on the very next request', async () => {
    const onA = new GraphQLClient(a.url);
    const onB = new GraphQLClient(b.url);
    const email = uniqueEmail();
    const laptop = await registerUser(onA.withHeaders({ 'user-agent': 'laptop/1' }), email);
    const phone = await logInUser(onB.withHeaders({ 'user-agent': 'phone/1' }), email);

    // B has just served the phone's token, so anything it could have remembered, it would.
    await onB.withToken(phone.token).ok(ME);
    await onA.withToken(laptop.token).ok(LOGOUT_DEVICE, { variables: { loginId: phone.login.id } });
    const refused = await onB.withToken(phone.token).request(ME);
    expect(refused.status).toBe(401);
    expect(errorCodes(refused)).toEqual(['UNAUTHENTICATED']);
  });

  it('logoutAll on B ends the sessions A was serving', async () => {
    const onA = new GraphQLClient(a.url);
    const onB = new GraphQLClient(b.url);
    const email = uniqueEmail();
    const first = await registerUser(onA.withHeaders({ 'user-agent': 'one/1' }), email);
    const second = await logInUser(onA.withHeaders({ 'user-agent': 'two/1' }), email);
    await onA.withToken(first.token).ok(ME);

    expect(await onB.withToken(second.token).ok(LOGOUT_ALL)).toEqual({ logoutAll: 2 });
    expect((await onA.withToken(first.token).request(ME)).status).toBe(401);
    expect((await onA.withToken(second.token).request(ME)).status).toBe(401);
  });
});

describe('live login activity across two instances (PostgreSQL LISTEN/NOTIFY)', () => {
  const clients = subscriptionClients();
  afterEach(() => clients.closeAll(a, b));

  it('a subscriber on B gets LOGIN (current: false) when the same user logs in on A; another user gets nothing', async () => {
    const onA = new GraphQLClient(a.url);
    const email = uniqueEmail();
    const laptop = await registerUser(onA.withHeaders({ 'user-agent': 'laptop/1' }), email);
    const stranger = await registerUser(onA.withHeaders({ 'user-agent': 'stranger/1' }));
    const onB = await clients.subscribe(b, { token: laptop.token }, 1);
    const strangerOnB = await clients.subscribe(b, { token: stranger.token }, 2);
    const strangerOnA = await clients.subscribe(a, { token: stranger.token }, 1);

    const phone = await logInUser(onA.withHeaders({ 'user-agent': 'phone/1' }), email);
    const [event] = await onB.waitForEvents(1);
    expect(event).toEqual({
      kind: 'LOGIN',
      at: phone.login.createdAt,
      login: { id: phone.login.id, device: phone.login.device, current: false, revokedAt: null, revokedReason: null },
    });

    // Both instances have seen later activity of this user by now, so nothing is in flight for the stranger.
    await new GraphQLClient(a.url).withToken(laptop.token).ok(LOGOUT_DEVICE, { variables: { loginId: phone.login.id } });
    await onB.waitForEvents(2);
    expect(strangerOnB.events).toEqual([]);
    expect(strangerOnA.events).toEqual([]);
  });

  it('A revoking the login of a subscriber on B (logoutDevice): REVOKED, then the socket closes with 4401', async () => {
    const onA = new GraphQLClient(a.url);
    const email = uniqueEmail();
    const laptop = await registerUser(onA.withHeaders({ 'user-agent': 'laptop/1' }), email);
    const phone = await logInUser(new GraphQLClient(b.url).withHeaders({ 'user-agent': 'phone/1' }), email);
    const phoneOnB = await clients.subscribe(b, { token: phone.token }, 1);

    const revokedAt = performance.now();
    await onA.withToken(laptop.token).ok(LOGOUT_DEVICE, { variables: { loginId: phone.login.id } });
    const closed = await phoneOnB.closed;
    console.log(`logoutDevice on A to close on B: ${(closed.at - revokedAt).toFixed(1)} ms`);
    expect(closed.code).toBe(4401);
    expect(closed.at - revokedAt).toBeLessThan(1000);
    expect(phoneOnB.events).toEqual([
      expect.objectContaining({ kind: 'REVOKED', login: expect.objectContaining({ id: phone.login.id, current: true, revokedReason: 'LOGOUT' }) }),
    ]);
  });
});
