import { describe, expect, it } from 'vitest';
import { validateSession, type LoginRecord } from '../../src/auth/sessions';
import { createTokenService } from '../../src/auth/tokens';

const tokens = createTokenService({ secret: 'unit-test-secret-of-at-least-32-characters', ttlSeconds: 3600 });
const now = new Date('2030-01-01T00:00:00.000Z');
const userId = '6f1c2f4e-8a1b-4c3d-9e5f-0a1b2c3d4e5f';
const user = { id: userId, email: 'alice@example.com', createdAt: now };
const login: LoginRecord = {
  id: '0b7e6c1a-2d3f-4a5b-8c9d-e0f1a2b3c4d5',
  user,
  expiresAt: tokens.expiryFor(now),
  revokedAt: null,
  revokedReason: null,
  lastSeenAt: now,
};
const { token } = tokens.issue({ userId, loginId: login.id, issuedAt: now, expiresAt: login.expiresAt });

const check = (authorization: string | undefined, row: LoginRecord | null = login, at = now) =>
  validateSession(authorization, { tokens, now: at, findLogin: async (id) => (row && row.id === id ? row : null) });

describe('validateSession', () => {
  it('is anonymous without a header, or with an empty one', async () => {
    expect(await check(undefined)).toEqual({ status: 'anonymous' });
    expect(await check('')).toEqual({ status: 'anonymous' });
    expect(await check('  ')).toEqual({ status: 'anonymous' });
  });

  it('accepts a valid token of an active login, whatever the case of "Bearer"', async () => {
    const valid = { status: 'valid', session: { user, loginId: login.id, lastSeenAt: now, expiresAt: login.expiresAt } };
    expect(await check(`Bearer ${token}`)).toEqual(valid);
    expect(await check(`bearer ${token}`)).toEqual(valid);
  });

  it.each([
    ['malformed-header', `Token ${token}`, login],
    ['malformed-header', 'Bearer', login],
    ['invalid-token', 'Bearer abc.def.ghi', login],
    ['unknown-login', `Bearer ${token}`, null],
    ['login-of-another-user', `Bearer ${token}`, { ...login, user: { ...user, id: '11111111-2222-4333-8444-555555555555' } }],
    ['revoked', `Bearer ${token}`, { ...login, revokedAt: now }],
    ['expired', `Bearer ${token}`, { ...login, expiresAt: now }],
  ] as const)('rejects as %s', async (reason, header, row) => {
    expect(await check(header, row)).toEqual({ status: 'rejected', reason });
  });
});
