import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/app';
import { GraphQLClient, errorCodes } from '../helpers/graphql-client';
import { LOGOUT_ALL, LOGOUT_DEVICE, ME, logInUser, registerUser, uniqueEmail } from '../helpers/operations';
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
