import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  SubscriptionClosedError,
  sessionEndOfClose,
  sessionEndReason,
  unauthenticatedReason,
  type RevokeReason as SdkRevokeReason,
  type SessionEnd,
  type SessionEndReason,
  type UnauthenticatedReason,
} from '../../sdk';
import { RevokeReason } from '../../src/entities/revoke-reason';
import {
  UnauthenticatedReason as ServerReasons,
  type SessionEndReason as ServerSessionEndReason,
  type UnauthenticatedReason as ServerReason,
} from '../../src/errors';
import { unauthorizedCloseReason, type UnauthorizedClose } from '../../src/live/close-codes';

/** The SDK's reason types are the server's (checked by `npm run typecheck`), and its accessors read them. */
describe("the SDK's UNAUTHENTICATED reasons", () => {
  it('are the same set as the server sends', () => {
    expectTypeOf<UnauthenticatedReason>().toEqualTypeOf<ServerReason>();
    expectTypeOf<SessionEndReason>().toEqualTypeOf<ServerSessionEndReason>();
  });

  it('read a reason from the errors of any GraphQL answer', () => {
    const revoked = [{ message: 'x', extensions: { code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED', revokedReason: 'PASSWORD_CHANGED' } }];
    expect(sessionEndReason(revoked)).toEqual({ reason: 'SESSION_REVOKED', revokedReason: 'PASSWORD_CHANGED' });
    expect(sessionEndReason([{ message: 'x', extensions: { code: 'UNAUTHENTICATED', reason: 'SESSION_EXPIRED' } }])).toEqual({
      reason: 'SESSION_EXPIRED',
      revokedReason: null,
    });
    expect(unauthenticatedReason([{ message: 'x', extensions: { code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' } }])).toBe('INVALID_CREDENTIALS');
    expect(sessionEndReason([{ message: 'x', extensions: { code: 'UNAUTHENTICATED', reason: 'LOGIN_REQUIRED' } }])).toBeNull();
    expect(sessionEndReason([{ message: 'x', extensions: { code: 'UNAUTHENTICATED', reason: 'IDLE' } }])).toBeNull();
    expect(sessionEndReason([{ message: 'x', extensions: { code: 'BAD_USER_INPUT' } }])).toBeNull();
    expect(sessionEndReason(new Error('network'))).toBeNull();
  });
});

/** Every 4401 close the server can make: each reason, and SESSION_REVOKED with each RevokeReason. */
const SERVER_CLOSES: UnauthorizedClose[] = Object.values(ServerReasons).flatMap((reason): UnauthorizedClose[] =>
  reason === ServerReasons.SESSION_REVOKED
    ? [null, ...Object.values(RevokeReason)].map((revokedReason) => ({ reason, revokedReason }))
    : [{ reason, revokedReason: null }],
);

const SESSION_ENDS: ReadonlySet<string> = new Set<ServerSessionEndReason>(['INVALID_TOKEN', 'SESSION_REVOKED', 'SESSION_EXPIRED']);

describe('the SDK reading the reason of a socket closed with 4401', () => {
  it("returns the server's RevokeReasons, typed", () => {
    expectTypeOf<SdkRevokeReason>().toEqualTypeOf<`${RevokeReason}`>();
    expectTypeOf(sessionEndOfClose).returns.toEqualTypeOf<SessionEnd | null>();
  });

  it.each(SERVER_CLOSES.map((close) => [unauthorizedCloseReason(close), close] as const))(
    'reads %j back as the codes the server wrote',
    (reason, close) => {
      const error = new SubscriptionClosedError(4401, reason);
      const end = SESSION_ENDS.has(close.reason) ? close : null;
      expect(sessionEndReason(error)).toEqual(end);
      expect(sessionEndOfClose({ code: 4401, reason })).toEqual(end);
      expect(unauthenticatedReason(error)).toBe(close.reason);
    },
  );

  it('pins the format: the text, then the codes in parentheses', () => {
    expect(sessionEndReason(new SubscriptionClosedError(4401, 'Session ended (SESSION_REVOKED: LOGOUT)'))).toEqual({
      reason: 'SESSION_REVOKED',
      revokedReason: 'LOGOUT',
    });
    expect(sessionEndOfClose({ code: 4401, reason: 'Session ended (SESSION_EXPIRED)' })).toEqual({ reason: 'SESSION_EXPIRED', revokedReason: null });
    expect(sessionEndOfClose({ code: 4401, reason: 'Session ended (INVALID_TOKEN)' })).toEqual({ reason: 'INVALID_TOKEN', revokedReason: null });
    // No token sent: nothing ended, so no SessionEnd; the reason is still there to read.
    const loginRequired = new SubscriptionClosedError(4401, 'Login required (LOGIN_REQUIRED)');
    expect(sessionEndReason(loginRequired)).toBeNull();
    expect(unauthenticatedReason(loginRequired)).toBe('LOGIN_REQUIRED');
  });

  it('passes on a revoke reason this build does not know, as it does over HTTP', () => {
    expect(sessionEndOfClose({ code: 4401, reason: 'Session ended (SESSION_REVOKED: SOMETHING_NEW)' })).toEqual({
      reason: 'SESSION_REVOKED',
      revokedReason: 'SOMETHING_NEW',
    });
  });

  it.each([
    // The server could not tell (its database could not be read).
    'Session ended',
    '',
    'Session ended (SOMETHING_NEW)',
    'Session ended ()',
    'Session ended (session_revoked: logout)',
    'Session ended (SESSION_REVOKED: LOGOUT) ',
    'Session ended (SESSION_REVOKED: LOGOUT) and more',
    'Session ended (SESSION_REVOKED LOGOUT)',
    'Session ended (SESSION_EXPIRED: LOGOUT)',
    'Login required (SESSION_REVOKED: LOGOUT)',
    'Session ended (LOGIN_REQUIRED)',
    'Signed out (SESSION_EXPIRED)',
  ])('is null for a 4401 whose reason is not in the format: %j', (reason) => {
    const error = new SubscriptionClosedError(4401, reason);
    expect(sessionEndReason(error)).toBeNull();
    expect(unauthenticatedReason(error)).toBeUndefined();
    expect(sessionEndOfClose({ code: 4401, reason })).toBeNull();
  });

  it('is null for any other close, whatever its reason says', () => {
    for (const code of [1000, 1001, 1006, 1013, 4429, 4500]) {
      expect(sessionEndReason(new SubscriptionClosedError(code, 'Session ended (SESSION_REVOKED: LOGOUT)'))).toBeNull();
      expect(sessionEndOfClose({ code, reason: 'Session ended (SESSION_EXPIRED)' })).toBeNull();
    }
  });

  it('takes close events as graphql-ws hands them over: anything with a numeric code and a reason', () => {
    const domLike = { type: 'close', wasClean: true, code: 4401, reason: 'Session ended (SESSION_REVOKED: PASSWORD_CHANGED)' };
    expect(sessionEndOfClose(domLike)).toEqual({ reason: 'SESSION_REVOKED', revokedReason: 'PASSWORD_CHANGED' });
    const reason = 'Session ended (SESSION_EXPIRED)';
    for (const notAClose of [undefined, null, reason, { code: '4401', reason }, { code: 4401 }]) {
      expect(sessionEndOfClose(notAClose)).toBeNull();
    }
  });
});
