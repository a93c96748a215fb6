import { describe, expect, it } from 'vitest';
import { SIGNED_OUT_NOTICE, signedOutNotice } from '../../examples/react-device-manager/src/signed-out-notice';

/** The example app tells the user why the server ended the session, from `extensions.reason` and `revokedReason`. */
describe('the sign-in notice of the React example', () => {
  it.each([
    [{ reason: 'SESSION_REVOKED', revokedReason: 'LOGOUT' }, 'You were signed out on another device'],
    [{ reason: 'SESSION_REVOKED', revokedReason: 'LOGOUT_ALL' }, 'You were signed out on another device'],
    [{ reason: 'SESSION_REVOKED', revokedReason: 'PASSWORD_CHANGED' }, 'because your password was changed'],
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
});
