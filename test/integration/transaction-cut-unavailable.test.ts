import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/app';
import { GraphQLClient, errorCodes } from '../helpers/graphql-client';
import { LOGIN, PASSWORD, REGISTER, registerUser, uniqueEmail } from '../helpers/operations';
import { TcpProxy } from '../helpers/tcp-proxy';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { startTestServer } from '../helpers/test-server';

/** A cut at any statement of a transaction, its COMMIT and its BEGIN included, answers 503, never 200 with INTERNAL_SERVER_ERROR. */
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

describe('a cut in the middle of a transaction', () => {
  it.each([
    ['begin', /\bbegin\b/i],
    ['the revocation of the replaced login', /update "user_logins"/],
    ['the insert', /insert into "user_logins"/],
    ['commit', /\bcommit\b/i],
  ])('at %s of a login answers 503 SERVICE_UNAVAILABLE', async (_, statement) => {
    const email = uniqueEmail();
    const device = api.withHeaders({ 'user-agent': 'cut-device/1.0' });
    await registerUser(device, email);
    const tripped = proxy.cutWhenSent(statement);
    const response = await device.request(LOGIN, { variables: { input: { email, password: PASSWORD } } });
    await tripped;
    expect(response.status).toBe(503);
    expect(errorCodes(response)).toEqual(['SERVICE_UNAVAILABLE']);
  });

  it.each([
    ['begin', /\bbegin\b/i],
    ['commit', /\bcommit\b/i],
  ])('at %s of a registration answers 503 SERVICE_UNAVAILABLE', async (_, statement) => {
    const tripped = proxy.cutWhenSent(statement);
    const response = await api.request(REGISTER, { variables: { input: { email: uniqueEmail(), password: PASSWORD } } });
    await tripped;
    expect(response.status).toBe(503);
    expect(errorCodes(response)).toEqual(['SERVICE_UNAVAILABLE']);
  });
});
