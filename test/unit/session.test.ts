import { describe, expect, it, vi } from 'vitest';
import { Role } from '../../src/entities/role';
import { idleTimeout } from '../../src/auth/idle-timeout';
import { RevokeReason } from '../../src/entities/revoke-reason';
import { validateSession, type IdleRule, type LoginRecord } from '../../src/auth/sessions';
import { createTokenService } from '../../src/auth/tokens';

const tokens = createTokenService({ secret: 'unit-test-secret-of-at-least-32-characters', ttlSeconds: 3600 });
const now = new Date('2030-01-01T00:00:00.000Z');
const userId = '6f1c2f4e-8a1b-4c3d-9e5f-0a1b2c3d4e5f';
const user = { id: userId, email: 'alice@example.com', createdAt: now, role: Role.USER };
const login: LoginRecord = {
  id: '0b7e6c1a-2d3f-4a5b-8c9d-e0f1a2b3c4d5',
  user,
  expiresAt: tokens.expiryFor(now),
  revokedAt: null,
  revokedReason: null,
  lastSeenAt: now,
};
const { token } = tokens.issue({ userId, loginId: login.id, issuedAt: now, expiresAt: login.expiresAt });

const noIdleTimeout: IdleRule = { timeout: idleTimeout(0), revoke: () => Promise.reject(new Error('never idle')) };

const check = (authorization: string | undefined, row: LoginRecord | null = login, at = now) =>
  validateSession(authorization, { tokens, now: at, idle: noIdleTimeout, findLogin: async (id) => (row && row.id === id ? row : null) });

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

describe('validateSession with an idle timeout', () => {
  // 2 s: lastSeenAt is written every 500 ms, so an unused login ends 2.5 s after its stored lastSeenAt.
  const timeout = idleTimeout(2);
  const at = (ms: number) => new Date(now.getTime() + ms);

  function rule(revoke: IdleRule['revoke']): IdleRule {
    return { timeout, revoke };
  }

  it('accepts a login until the timeout has passed since its last possible use', async () => {
    const revoke = vi.fn(async () => true);
    const result = await validateSession(`Bearer ${token}`, { tokens, now: at(2_499), idle: rule(revoke), findLogin: async () => login });
    expect(result.status).toBe('valid');
    expect(revoke).not.toHaveBeenCalled();
  });

  it('revokes an unused login with IDLE_TIMEOUT and refuses it', async () => {
    const revoke = vi.fn(async () => true);
    const result = await validateSession(`Bearer ${token}`, { tokens, now: at(2_500), idle: rule(revoke), findLogin: async () => login });
    expect(result).toEqual({ status: 'rejected', reason: 'revoked', revokedReason: 'IDLE_TIMEOUT' });
    expect(revoke).toHaveBeenCalledWith(login, new Date(now.getTime()), at(2_500));
  });

  it('lets the row decide when another request got there first: used meanwhile, it is valid', async () => {
    const reads = [login, { ...login, lastSeenAt: at(2_400) }];
    const result = await validateSession(`Bearer ${token}`, {
      tokens,
      now: at(2_500),
      idle: rule(async () => false),
      findLogin: async () => reads.shift() ?? null,
    });
    expect(result.status).toBe('valid');
  });

  it('lets the row decide when another request got there first: revoked meanwhile, its reason is told', async () => {
    const reads: LoginRecord[] = [login, { ...login, revokedAt: at(2_450), revokedReason: RevokeReason.LOGOUT_ALL }];
    const result = await validateSession(`Bearer ${token}`, {
      tokens,
      now: at(2_500),
      idle: rule(async () => false),
      findLogin: async () => reads.shift() ?? null,
    });
    expect(result).toEqual({ status: 'rejected', reason: 'revoked', revokedReason: 'LOGOUT_ALL' });
  });

  it('tells an expired login as expired, not idle', async () => {
    const revoke = vi.fn(async () => true);
    const ended = { ...login, expiresAt: at(1_000) };
    const result = await validateSession(`Bearer ${token}`, { tokens, now: at(3_000), idle: rule(revoke), findLogin: async () => ended });
    expect(result).toEqual({ status: 'rejected', reason: 'expired' });
    expect(revoke).not.toHaveBeenCalled();
  });
});

describe('idleTimeout', () => {
  it('writes lastSeenAt every min(60 s, timeout / 4), and never slides past the absolute expiry', () => {
    expect(idleTimeout(2).lastSeenIntervalMs).toBe(500);
    expect(idleTimeout(14 * 24 * 3600).lastSeenIntervalMs).toBe(60_000);
    const timeout = idleTimeout(3600);
    expect(timeout.deadlineOf({ lastSeenAt: now, expiresAt: new Date(now.getTime() + 86_400_000) })).toEqual(new Date(now.getTime() + 3_660_000));
    expect(timeout.deadlineOf({ lastSeenAt: now, expiresAt: new Date(now.getTime() + 60_000) })).toEqual(new Date(now.getTime() + 60_000));
  });

  it('is off at 0: no deadline, nothing idles, the default write interval', () => {
    const off = idleTimeout(0);
    expect(off.enabled).toBe(false);
    expect(off.deadlineOf({ lastSeenAt: now, expiresAt: new Date(now.getTime() + 1000) })).toBeNull();
    expect(off.hasIdled({ lastSeenAt: new Date(0), expiresAt: new Date(now.getTime() + 1000) }, now)).toBe(false);
    expect(off.lastSeenIntervalMs).toBe(60_000);
  });
});
