import { describe, expect, it } from 'vitest';
import { FIREFOX_LINUX, useTestServer } from '../helpers/fixture';
import { registerUser, uniqueEmail } from '../helpers/operations';

/**
 * Issue 15: the location of a login and of its security events, from the shipped GeoLite2 City
 * database (no network), by the client address TRUST_PROXY allows. The addresses are ones whose
 * country the shipped database is sure of: Google's public DNS, heise.de, a Google IPv6 front end.
 */
const t = useTestServer({ TRUST_PROXY: '1' });

const LOCATED = `query {
  myLogins { ipAddress location { city country countryCode } }
  mySecurityEvents(first: 5) { edges { node { kind ipAddress location { city country countryCode } } } }
}`;

interface Located {
  myLogins: Array<{ ipAddress: string; location: { city: string | null; country: string; countryCode: string } | null }>;
  mySecurityEvents: { edges: Array<{ node: { kind: string; ipAddress: string; location: unknown } }> };
}

async function registeredFrom(address: string): Promise<Located> {
  const api = t.api.withHeaders({ 'x-forwarded-for': address, 'user-agent': FIREFOX_LINUX });
  const { token } = await registerUser(api, uniqueEmail('geo'));
  return api.withToken(token).ok<Located>(LOCATED);
}

describe('location', () => {
  it.each([
    ['8.8.8.8', { city: null, country: 'United States', countryCode: 'US' }],
    ['193.99.144.80', { city: null, country: 'Germany', countryCode: 'DE' }],
    ['2a00:1450:4001:80b::200e', { city: 'Frankfurt am Main', country: 'Germany', countryCode: 'DE' }],
  ])('of %s is its country (and city when the database knows it), on the login and its LOGIN event', async (address, location) => {
    const located = await registeredFrom(address);
    expect(located.myLogins).toEqual([{ ipAddress: address, location }]);
    expect(located.mySecurityEvents.edges.map(({ node }) => node)).toEqual([{ kind: 'LOGIN', ipAddress: address, location }]);
  });

  it.each(['127.0.0.1', '10.1.2.3', '192.168.0.10', '::1', 'fd00::1'])('of the private or loopback address %s is null', async (address) => {
    const located = await registeredFrom(address);
    expect(located.myLogins).toEqual([{ ipAddress: address, location: null }]);
    expect(located.mySecurityEvents.edges[0]!.node.location).toBeNull();
  });
});
