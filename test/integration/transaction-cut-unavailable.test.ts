import { beforeEach, describe, expect, it } from 'vitest';
import { errorCodes } from '../helpers/graphql-client';
import { useProxiedTestServer } from '../helpers/fixture';
import { LOGIN, PASSWORD, REGISTER, registerUser, uniqueEmail } from '../helpers/operations';

/** A cut at any statement of a transaction, its COMMIT and its BEGIN included, answers 503, never 200 with INTERNAL_SERVER_ERROR. */
const t = useProxiedTestServer();
const healthStatus = async () => (await fetch(new URL('/healthz', t.server.url))).status;
beforeEach(async () => {
  await t.proxy.restore();
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
    const device = t.api.withHeaders({ 'user-agent': 'cut-device/1.0' });
    await registerUser(device, email);
    const tripped = t.proxy.cutWhenSent(statement);
    const response = await device.request(LOGIN, { variables: { input: { email, password: PASSWORD } } });
    await tripped;
    expect(response.status).toBe(503);
    expect(errorCodes(response)).toEqual(['SERVICE_UNAVAILABLE']);
  });

  it.each([
    ['begin', /\bbegin\b/i],
    ['commit', /\bcommit\b/i],
  ])('at %s of a registration answers 503 SERVICE_UNAVAILABLE', async (_, statement) => {
    const tripped = t.proxy.cutWhenSent(statement);
    const response = await t.api.request(REGISTER, { variables: { input: { email: uniqueEmail(), password: PASSWORD } } });
    await tripped;
    expect(response.status).toBe(503);
    expect(errorCodes(response)).toEqual(['SERVICE_UNAVAILABLE']);
  });
});
