import { describe, expect, it } from 'vitest';
import { useTestServer } from '../helpers/fixture';
import { errorCodes } from '../helpers/graphql-client';
import { REGISTER, PASSWORD, registerUser, uniqueEmail } from '../helpers/operations';

/** With TRUST_PROXY set, the client IP is taken from X-Forwarded-For only when the entry is an IP address. */
const t = useTestServer({ TRUST_PROXY: '1' });

describe('X-Forwarded-For behind TRUST_PROXY=1', () => {
  it.each([
    ['an IPv4 address', '203.0.113.7', '203.0.113.7'],
    ['an IPv6 address', '2001:db8::7', '2001:db8::7'],
    ['the last of several addresses', '198.51.100.1, 203.0.113.9', '203.0.113.9'],
  ])('is used when it is %s', async (_, header, expected) => {
    const { login } = await registerUser(t.api.withHeaders({ 'x-forwarded-for': header }));
    expect(login.ipAddress).toBe(expected);
  });

  it.each([
    ['3,000 characters', 'x'.repeat(3_000)],
    ['an HTML tag', '<img src=x onerror=alert(1)>'],
    ['a non-address after a real one', '203.0.113.7, <img src=x>'],
    ['a hostname', 'proxy.example.com'],
    ['an address with a port', '203.0.113.7:8080'],
  ])('falls back to the socket address for %s, and the request succeeds', async (_, header) => {
    const email = uniqueEmail();
    const response = await t.api
      .withHeaders({ 'x-forwarded-for': header })
      .request(REGISTER, { variables: { input: { email, password: PASSWORD } } });
    expect(errorCodes(response)).toEqual([]);
    expect(response.status).toBe(200);
    expect(response.data?.['register'].login.ipAddress).toBe('127.0.0.1');
    expect(JSON.stringify(await t.db.query('select ip_address from user_logins'))).not.toContain(header.slice(0, 20));
  });
});
