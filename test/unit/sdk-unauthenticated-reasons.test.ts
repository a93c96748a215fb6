import { describe, expect, expectTypeOf, it } from 'vitest';
import { sessionEndReason, unauthenticatedReason, type SessionEndReason, type UnauthenticatedReason } from '../../sdk';
import type { SessionEndReason as ServerSessionEndReason, UnauthenticatedReason as ServerReason } from '../../src/errors';

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
    expect(sessionEndReason([{ message: 'x', extensions: { code: 'BAD_USER_INPUT' } }])).toBeNull();
    expect(sessionEndReason(new Error('network'))).toBeNull();
  });
});
