import { describe, expect, it } from 'vitest';
import { errorCodes } from '../helpers/graphql-client';
import { useProxiedTestServer } from '../helpers/fixture';
import { ME, MY_LOGINS, registerUser } from '../helpers/operations';

/**
 * A network that stalls without resetting anything: the database's TCP connections stay open and
 * answer nothing for longer than the query timeout (5 s), then deliver everything late. Requests
 * time out meanwhile, and the connections they timed out on still owe an answer.
 */
const HOLD_MS = 7_000;

const t = useProxiedTestServer();

describe('a database that stops answering without closing its connections', () => {
  it('answers 503 SERVICE_UNAVAILABLE while it is silent, and serves again within 2 s of it answering', async () => {
    const { token } = await registerUser(t.api);
    const client = t.api.withToken(token);

    // Load on both kinds of connection use: the session check's prepared statement (every request)
    // and ORM queries (myLogins), so timed-out connections of both pile up in the pool.
    let holding = true;
    const during: Array<{ status: number; codes: Array<string | undefined> }> = [];
    t.proxy.hold();
    const workers = Array.from({ length: 8 }, async (_, worker) => {
      while (holding) {
        const response = await client.request(worker % 2 === 0 ? ME : MY_LOGINS);
        if (holding) during.push({ status: response.status, codes: errorCodes(response) });
      }
    });
    await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
    const healthDuring = (await fetch(new URL('/healthz', t.server.url))).status;

    holding = false;
    const releasedAt = performance.now();
    t.proxy.release();
    await expect.poll(async () => (await client.request(ME)).status, { timeout: 2_000, interval: 20 }).toBe(200);
    const recoveryMs = performance.now() - releasedAt;
    await Promise.all(workers);
    console.log(`served again ${recoveryMs.toFixed(0)} ms after the database answered; ${during.length} answers while it was silent`);

    expect(during.length).toBeGreaterThan(0);
    expect(during.filter(({ status }) => status !== 503)).toEqual([]);
    expect(new Set(during.flatMap(({ codes }) => codes))).toEqual(new Set(['SERVICE_UNAVAILABLE']));
    expect(healthDuring).toBe(503);

    // No connection that timed out is handed out again: every request from here on is served.
    const after = [];
    for (let request = 0; request < 30; request++) after.push((await client.request(request % 2 === 0 ? ME : MY_LOGINS)).status);
    expect(new Set(after)).toEqual(new Set([200]));
    expect((await fetch(new URL('/healthz', t.server.url))).status).toBe(200);
  }, 30_000);
});
