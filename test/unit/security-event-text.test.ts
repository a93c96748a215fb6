import { describe, expect, it } from 'vitest';
import { locationLabel } from '../../examples/react-device-manager/src/location-label';
import { securityEventText, type SecurityEventView } from '../../examples/react-device-manager/src/security-event-text';

/** The React example's security log, one readable line an event (its time is added by the component). */
const FRANKFURT = { city: 'Frankfurt am Main', country: 'Germany', countryCode: 'DE' };
const GERMANY = { city: null, country: 'Germany', countryCode: 'DE' };

function event(overrides: Partial<SecurityEventView>): SecurityEventView {
  return { kind: 'LOGIN', device: 'Chrome 130 on macOS', ipAddress: '127.0.0.1', location: null, revokedReason: null, login: null, ...overrides };
}

const line = (view: SecurityEventView) => {
  const { what, details } = securityEventText(view);
  return [what, ...details].join(' · ');
};

describe('the location of a login or an event in the React example', () => {
  it('is the city and country, the country alone when the city is unknown, and nothing for a local address', () => {
    expect(locationLabel(FRANKFURT)).toBe('Frankfurt am Main, Germany');
    expect(locationLabel(GERMANY)).toBe('Germany');
    expect(locationLabel({ city: '', country: 'United States', countryCode: 'US' })).toBe('United States');
    expect(locationLabel(null)).toBeNull();
  });
});

describe('a line of the security log of the React example', () => {
  it.each<[Partial<SecurityEventView>, string]>([
    [{ kind: 'LOGIN', location: FRANKFURT }, 'New sign-in · Chrome 130 on macOS · 127.0.0.1 · Frankfurt am Main, Germany'],
    [{ kind: 'LOGIN_FAILED', ipAddress: '8.8.8.8', location: { city: null, country: 'United States', countryCode: 'US' } }, 'Wrong password · Chrome 130 on macOS · 8.8.8.8 · United States'],
    [{ kind: 'LOGIN_THROTTLED' }, 'Sign-in attempt blocked (too many tries) · Chrome 130 on macOS · 127.0.0.1'],
    [{ kind: 'PASSWORD_CHANGED', location: GERMANY }, 'Password changed · Chrome 130 on macOS · 127.0.0.1 · Germany'],
    [{ kind: 'NEW_DEVICE_ALERT' }, 'New-device email sent · Chrome 130 on macOS · 127.0.0.1'],
  ])('%j reads %j', (overrides, expected) => {
    expect(line(event(overrides))).toBe(expected);
  });

  it.each([
    ['LOGOUT', 'Signed out (Logged out)'],
    ['LOGOUT_ALL', 'Signed out (All devices logged out)'],
    ['PASSWORD_CHANGED', 'Signed out (Password changed)'],
    ['IDLE_TIMEOUT', 'Signed out (Idle)'],
    ['NOT_ME', 'Signed out (Not me)'],
    ['REPLACED', 'Signed out (Signed in again)'],
    ['LOGIN_LIMIT', 'Signed out (Too many devices)'],
  ] as const)('a sign-out for %s says why: %j', (revokedReason, what) => {
    expect(securityEventText(event({ kind: 'LOGIN_REVOKED', revokedReason, login: { device: 'Chrome 130 on macOS' } })).what).toBe(what);
  });

  it('names the device signed out, then the one that signed it out, whose address and location it has', () => {
    const revoked = event({
      kind: 'LOGIN_REVOKED',
      revokedReason: 'LOGOUT',
      device: 'Firefox 132 on Linux',
      ipAddress: '2a00:1450:4001:80b::200e',
      location: FRANKFURT,
      login: { device: 'Safari 17 on iOS' },
    });
    expect(line(revoked)).toBe('Signed out (Logged out) · Safari 17 on iOS · by Firefox 132 on Linux · 2a00:1450:4001:80b::200e · Frankfurt am Main, Germany');
    // A device that logged itself out is named once.
    expect(line({ ...revoked, login: { device: 'Firefox 132 on Linux' } })).toBe(
      'Signed out (Logged out) · Firefox 132 on Linux · 2a00:1450:4001:80b::200e · Frankfurt am Main, Germany',
    );
    // The login was deleted since: the line says what the request was.
    expect(line({ ...revoked, login: null })).toBe('Signed out (Logged out) · Firefox 132 on Linux · 2a00:1450:4001:80b::200e · Frankfurt am Main, Germany');
  });

  it('leaves out what the server left empty: the idle sweep has no request, so no device, address or location of one', () => {
    const idle = event({ kind: 'LOGIN_REVOKED', revokedReason: 'IDLE_TIMEOUT', device: '', ipAddress: '', login: { device: 'Safari 17 on iOS' } });
    expect(line(idle)).toBe('Signed out (Idle) · Safari 17 on iOS');
  });

  it('reads a kind or a reason this build does not know (from a newer server) as plainly as it can', () => {
    expect(securityEventText(event({ kind: 'SOMETHING_NEW' as never })).what).toBe('Account activity');
    expect(securityEventText(event({ kind: 'LOGIN_REVOKED', revokedReason: 'SOMETHING_NEW' as never })).what).toBe('Signed out');
  });
});
