import { describe, expect, it } from 'vitest';
import { rateLimitKey } from '../../src/auth/rate-limit-key';

describe('the rate-limit key of a client address', () => {
  it('is an IPv4 address itself', () => {
    expect(rateLimitKey('203.0.113.7')).toBe('203.0.113.7');
    expect(rateLimitKey('203.0.113.8')).toBe('203.0.113.8');
  });

  it('is the /64 of an IPv6 address: every address of one prefix shares it', () => {
    const key = rateLimitKey('2001:db8:1:2::1');
    expect(key).toBe('2001:db8:1:2::/64');
    for (const address of ['2001:db8:1:2::2', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:0DB8:0001:0002:0:0:0:abcd', '2001:db8:1:2:a:b:c:d']) {
      expect(rateLimitKey(address)).toBe(key);
    }
  });

  it('differs for IPv6 addresses of other /64 prefixes', () => {
    expect(rateLimitKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(rateLimitKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(rateLimitKey('::1')).toBe('0:0:0:0::/64');
    expect(new Set(['2001:db8:1:2::1', '2001:db8:1:3::1', '2001:db9:1:2::1'].map(rateLimitKey)).size).toBe(3);
  });

  it('counts an IPv4-mapped IPv6 address as its IPv4 address', () => {
    expect(rateLimitKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(rateLimitKey('::ffff:cb00:7107')).toBe('203.0.113.7');
    expect(rateLimitKey('0:0:0:0:0:ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('ignores a zone index, and keeps anything that is not an address as it is', () => {
    expect(rateLimitKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(rateLimitKey('')).toBe('');
    expect(rateLimitKey('not an address')).toBe('not an address');
  });
});
