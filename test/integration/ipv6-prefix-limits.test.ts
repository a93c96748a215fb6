import { describe, expect, it } from 'vitest';
import { errorCodes } from '../helpers/graphql-client';
import { useTestServer } from '../helpers/fixture';
import { LOGIN, uniqueEmail } from '../helpers/operations';

// An IPv6 client is rate-limited by its /64, which it can pick any address from; IPv4-mapped IPv6 is
// its IPv4 address. The test is the proxy in front (TRUST_PROXY=1) and names the client addresses.
const FAILURES_PER_IP = 5;
const t = useTestServer({ TRUST_PROXY: '1', RATE_LIMIT_LOGIN_FAILURES_PER_IP: String(FAILURES_PER_IP) });

async function wrongGuessFrom(clientIp: string) {
  const response = await t.api
    .withHeaders({ 'x-forwarded-for': clientIp })
    .request(LOGIN, { variables: { input: { email: uniqueEmail('nobody'), password: 'wrong password' } } });
  return errorCodes(response)[0];
}

describe('the per-IP login limit', () => {
  it('counts every address of one IPv6 /64 together, and other /64s apart', async () => {
    for (let host = 1; host <= FAILURES_PER_IP; host++) {
      expect(await wrongGuessFrom(`2001:db8:1:2::${host.toString(16)}`)).toBe('UNAUTHENTICATED');
    }
    expect(await wrongGuessFrom('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('TOO_MANY_REQUESTS');
    expect(await wrongGuessFrom('2001:db8:1:3::1')).toBe('UNAUTHENTICATED');
  });

  it('counts an IPv4-mapped IPv6 address as its IPv4 address, and IPv4 addresses one by one', async () => {
    for (let guess = 0; guess < FAILURES_PER_IP; guess++) expect(await wrongGuessFrom('203.0.113.9')).toBe('UNAUTHENTICATED');
    expect(await wrongGuessFrom('::ffff:203.0.113.9')).toBe('TOO_MANY_REQUESTS');
    expect(await wrongGuessFrom('203.0.113.10')).toBe('UNAUTHENTICATED');
  });
});
