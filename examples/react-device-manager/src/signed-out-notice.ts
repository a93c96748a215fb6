import type { SessionEnd } from '../../../sdk/errors';
import type { UserLoginFieldsFragment } from '../../../sdk/generated/graphql';

/** What the sign-in form says when the server ended this tab's session; the why follows when the server said it. */
export const SIGNED_OUT_NOTICE = 'You were signed out on this device.';

/**
 * Keyed by string, not the generated RevokeReason: a newer server may send a reason this build does
 * not know, which then reads as the plain notice.
 */
const REVOKED_BECAUSE: Readonly<Record<string, string>> = {
  LOGOUT: 'You were signed out on another device: it logged this one out.',
  LOGOUT_ALL: 'You were signed out on another device: it logged out every device.',
  REPLACED: 'You signed in again in this browser, which replaced this session.',
  LOGIN_LIMIT: 'You signed in on more devices than allowed, so the oldest sessions ended.',
  PASSWORD_CHANGED: 'Your password was changed on another device.',
  IDLE_TIMEOUT: 'You were signed out because this device was not used for a long time.',
  ADMIN: 'An administrator signed you out.',
  NOT_ME: 'You were signed out because a sign-in was reported as not yours.',
};

const EXPIRED_BECAUSE = 'Your session reached its maximum lifetime.';

/** The notice for a session the server ended, from the reason it gave (null: it gave none, e.g. a 4401 closed as plain `Session ended`). */
export function signedOutNotice(end: SessionEnd | null): string {
  const why =
    end?.reason === 'SESSION_REVOKED' && end.revokedReason !== null
      ? REVOKED_BECAUSE[end.revokedReason]
      : end?.reason === 'SESSION_EXPIRED'
        ? EXPIRED_BECAUSE
        : undefined;
  return why ? `${SIGNED_OUT_NOTICE} ${why}` : SIGNED_OUT_NOTICE;
}

/**
 * Why this tab's own login ended, from its REVOKED event, whose login is as the database has it now:
 * revoked (with its RevokeReason: PASSWORD_CHANGED, LOGOUT...), or not revoked at all: its token expired.
 */
export function sessionEndOfRevoked(login: Pick<UserLoginFieldsFragment, 'revokedAt' | 'revokedReason'>): SessionEnd {
  return login.revokedAt === null
    ? { reason: 'SESSION_EXPIRED', revokedReason: null }
    : { reason: 'SESSION_REVOKED', revokedReason: login.revokedReason };
}
