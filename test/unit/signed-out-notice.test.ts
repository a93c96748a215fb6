import { describe, expect, it } from 'vitest';
import { SIGNED_OUT_NOTICE, sessionEndOfRevoked, signedOutNotice } from '../../examples/react-device-manager/src/signed-out-notice';

/** The example app tells the user why the server ended the session, from `extensions.reason` and `revokedReason`. */
describe('the sign-in notice of the React example', () => {
  it.each([
    [{ reason: 'SESSION_REVOKED', revokedReason: 'LOGOUT' }, 'You were signed out on another device'],
    [{ reason: 'SESSION_REVOKED', revokedReason: 'LOGOUT_ALL' }, 'You were signed out on another device'],
    [{ reason: 'SESSION_REVOKED', revokedReason: 'PASSWORD_CHANGED' }, 'Your password was changed on another device.'],
    [{ reason: 'SESSION_REVOKED', revokedReason: 'IDLE_TIMEOUT' }, 'not used for a long time'],
    [{ reason: 'SESSION_EXPIRED', revokedReason: null }, 'maximum lifetime'],
  ] as const)('%j says %j', (end, why) => {
    const notice = signedOutNotice(end as Parameters<typeof signedOutNotice>[0]);
    expect(notice.startsWith(SIGNED_OUT_NOTICE)).toBe(true);
    expect(notice).toContain(why);
  });

  it('is the plain notice when the server gave no reason, or one this build does not know', () => {
    expect(signedOutNotice(null)).toBe(SIGNED_OUT_NOTICE);
    expect(signedOutNotice({ reason: 'INVALID_TOKEN', revokedReason: null })).toBe(SIGNED_OUT_NOTICE);
    expect(signedOutNotice({ reason: 'SESSION_REVOKED', revokedReason: 'SOMETHING_NEW' as never })).toBe(SIGNED_OUT_NOTICE);
  });

  it("reads the REVOKED event of this tab's own login: revoked and why, or (not revoked) expired", () => {
    const revokedAt = '2026-12-01T10:00:00.000Z';
    expect(sessionEndOfRevoked({ revokedAt, revokedReason: 'PASSWORD_CHANGED' })).toEqual({ reason: 'SESSION_REVOKED', revokedReason: 'PASSWORD_CHANGED' });
    expect(signedOutNotice(sessionEndOfRevoked({ revokedAt, revokedReason: 'PASSWORD_CHANGED' }))).toContain('Your password was changed on another device.');
    expect(sessionEndOfRevoked({ revokedAt: null, revokedReason: null })).toEqual({ reason: 'SESSION_EXPIRED', revokedReason: null });
  });
});
