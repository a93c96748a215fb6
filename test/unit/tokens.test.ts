import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { createTokenService } from '../../src/auth/tokens';

const secret = 'unit-test-secret-of-at-least-32-characters';
const tokens = createTokenService({ secret, ttlSeconds: 3600 });
const userId = '6f1c2f4e-8a1b-4c3d-9e5f-0a1b2c3d4e5f';
const loginId = '0b7e6c1a-2d3f-4a5b-8c9d-e0f1a2b3c4d5';
const now = new Date('2030-01-01T00:00:00.000Z');

function issue() {
  return tokens.issue({ userId, loginId, issuedAt: now, expiresAt: tokens.expiryFor(now) });
}

describe('token service', () => {
  it('signs sub, sid, iat and exp with HS256, nothing else', () => {
    const { token, expiresAt } = issue();
    expect(jwt.decode(token, { complete: true })).toMatchObject({
      header: { alg: 'HS256', typ: 'JWT' },
      payload: { sub: userId, sid: loginId, iat: 1893456000, exp: 1893459600 },
    });
    expect(Object.keys(jwt.decode(token) as object).sort()).toEqual(['exp', 'iat', 'sid', 'sub']);
    expect(expiresAt).toEqual(new Date('2030-01-01T01:00:00.000Z'));
  });

  it('verifies its own tokens until they expire', () => {
    const { token } = issue();
    expect(tokens.verify(token, now)).toEqual({ sub: userId, sid: loginId, iat: 1893456000, exp: 1893459600 });
    expect(tokens.verify(token, new Date('2030-01-01T00:59:59.000Z'))).not.toBeNull();
    expect(tokens.verify(token, new Date('2030-01-01T01:00:00.000Z'))).toBeNull();
  });

  it('refuses another secret, another algorithm, no exp and claims that are not UUIDs', () => {
    const claims = { sub: userId, sid: loginId, iat: 1893456000, exp: 1893459600 };
    expect(tokens.verify(jwt.sign(claims, 'x'.repeat(40)), now)).toBeNull();
    expect(tokens.verify(jwt.sign(claims, secret, { algorithm: 'HS384' }), now)).toBeNull();
    expect(tokens.verify(jwt.sign({ sub: userId, sid: loginId, iat: 1893456000 }, secret), now)).toBeNull();
    expect(tokens.verify(jwt.sign({ ...claims, sid: 'abc' }, secret), now)).toBeNull();
    expect(tokens.verify(jwt.sign({ ...claims, sub: 42 }, secret), now)).toBeNull();
    expect(tokens.verify('', now)).toBeNull();
  });
});

describe('key rotation', () => {
  it('signs with the new secret and still verifies tokens of the previous one', () => {
    const before = createTokenService({ secret: 'the-old-secret-of-at-least-32-characters', ttlSeconds: 3600 });
    const after = createTokenService({
      secret: 'the-new-secret-of-at-least-32-characters',
      previousSecret: 'the-old-secret-of-at-least-32-characters',
      ttlSeconds: 3600,
    });
    const old = before.issue({ userId, loginId, issuedAt: now, expiresAt: before.expiryFor(now) }).token;
    const fresh = after.issue({ userId, loginId, issuedAt: now, expiresAt: after.expiryFor(now) }).token;

    expect(after.verify(old, now)?.sid).toBe(loginId);
    expect(after.verify(fresh, now)?.sid).toBe(loginId);
    expect(before.verify(fresh, now)).toBeNull();
    expect(createTokenService({ secret: 'the-new-secret-of-at-least-32-characters', ttlSeconds: 3600 }).verify(old, now)).toBeNull();
  });
});
