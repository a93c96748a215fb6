import { createHash, createHmac, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { signingKeysFrom } from '../../src/auth/signing-keys';
import { createTokenService, VERIFIED_TOKEN_CACHE_SIZE, type TokenService } from '../../src/auth/tokens';

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

const p256Pem = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const oldPem = p256Pem();
const newPem = p256Pem();
const es256 = (current: string, previous: string | null = null) =>
  createTokenService({ algorithm: 'ES256', keys: signingKeysFrom(current, previous), ttlSeconds: 3600 });
const claims = { sub: userId, sid: loginId, iat: 1893456000, exp: 1893459600 };
const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token put together by hand, as an attacker would: any header, any signature. */
function handMade(header: object, sign: (input: string) => string): string {
  const input = `${base64url(header)}.${base64url(claims)}`;
  return `${input}.${sign(input)}`;
}

describe('ES256', () => {
  const keys = signingKeysFrom(newPem, null);
  const service = es256(newPem);
  const issueWith = (tokens: TokenService) => tokens.issue({ userId, loginId, issuedAt: now, expiresAt: tokens.expiryFor(now) }).token;

  it('signs the same claims with the key’s RFC 7638 thumbprint as kid, which a public key verifies', () => {
    const token = issueWith(service);
    const { x, y } = createPublicKey(newPem).export({ format: 'jwk' });
    const thumbprint = createHash('sha256').update(`{"crv":"P-256","kty":"EC","x":"${x}","y":"${y}"}`).digest('base64url');
    expect(keys.current.kid).toBe(thumbprint);
    expect(keys.current.jwk).toEqual({ kty: 'EC', crv: 'P-256', x, y, kid: thumbprint, alg: 'ES256', use: 'sig' });
    expect(jwt.decode(token, { complete: true })).toMatchObject({ header: { alg: 'ES256', typ: 'JWT', kid: thumbprint }, payload: claims });
    expect(Object.keys(jwt.decode(token) as object).sort()).toEqual(['exp', 'iat', 'sid', 'sub']);
    expect(jwt.verify(token, createPublicKey(newPem), { algorithms: ['ES256'], clockTimestamp: claims.iat })).toMatchObject(claims);
    expect(service.verify(token, now)).toEqual(claims);
    // Derived, so a restart with the same key keeps the kid.
    expect(signingKeysFrom(newPem, null).current.kid).toBe(thumbprint);
  });

  it('verifies with the key the kid names: current or previous, no other, and never without a kid', () => {
    const rotated = es256(newPem, oldPem);
    const old = issueWith(es256(oldPem));
    const fresh = issueWith(rotated);
    expect(jwt.decode(fresh, { complete: true })?.header.kid).toBe(keys.current.kid);
    expect(rotated.verify(old, now)).toEqual(claims);
    expect(rotated.verify(fresh, now)).toEqual(claims);
    expect(es256(newPem).verify(old, now)).toBeNull();
    expect(es256(oldPem).verify(fresh, now)).toBeNull();

    const oldKid = signingKeysFrom(oldPem, null).current.kid;
    const signedWith = (pem: string, kid: string | undefined) =>
      jwt.sign(claims, createPrivateKey(pem), { algorithm: 'ES256', ...(kid === undefined ? {} : { keyid: kid }) });
    // The kid picks one key: the previous key's signature under the current kid fails, and the reverse.
    expect(rotated.verify(signedWith(oldPem, keys.current.kid), now)).toBeNull();
    expect(rotated.verify(signedWith(newPem, oldKid), now)).toBeNull();
    expect(rotated.verify(signedWith(newPem, undefined), now)).toBeNull();
    expect(rotated.verify(signedWith(newPem, 'another-kid'), now)).toBeNull();
    expect(rotated.verify(signedWith(newPem, keys.current.kid), now)).toEqual(claims);
  });

  it('refuses HS256 tokens, one signed with the public key as its secret among them, and alg none', () => {
    const kid = keys.current.kid;
    const publicPem = createPublicKey(newPem).export({ format: 'pem', type: 'spki' }).toString();
    const jwk = JSON.stringify(keys.current.jwk);
    for (const secretOfAttacker of [publicPem, jwk, kid]) {
      const confused = handMade({ alg: 'HS256', typ: 'JWT', kid }, (input) => createHmac('sha256', secretOfAttacker).update(input).digest('base64url'));
      expect(service.verify(confused, now)).toBeNull();
      expect(service.verifyExpired(confused, new Date('2031-01-01T00:00:00Z'))).toBeNull();
    }
    for (const alg of ['none', 'None', 'NONE']) {
      expect(service.verify(handMade({ alg, typ: 'JWT', kid }, () => ''), now)).toBeNull();
    }
    expect(service.verify(issue().token, now)).toBeNull();
  });

  it('is refused by an HS256 service, and alg none is refused there too', () => {
    expect(tokens.verify(issueWith(service), now)).toBeNull();
    expect(tokens.verify(handMade({ alg: 'none', typ: 'JWT' }, () => ''), now)).toBeNull();
    expect(tokens.verify(handMade({ alg: 'HS256', typ: 'JWT' }, (input) => createHmac('sha256', secret).update(input).digest('base64url')), now)).toEqual(
      claims,
    );
  });
});

describe('the verified-token cache', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    ['HS256', () => createTokenService({ secret, ttlSeconds: 3600 })],
    ['ES256', () => es256(newPem)],
  ] as const)('%s: checks a token’s signature once, and its exp on every call', (_algorithm, make) => {
    const service = make();
    const token = service.issue({ userId, loginId, issuedAt: now, expiresAt: service.expiryFor(now) }).token;
    const verify = vi.spyOn(jwt, 'verify');
    expect(service.verify(token, now)).toEqual(claims);
    expect(service.verify(token, new Date('2030-01-01T00:59:59.000Z'))).toEqual(claims);
    expect(verify).toHaveBeenCalledTimes(1);
    // Cached, yet expired at its exp: verify refuses it, verifyExpired (the rejection path) names it.
    expect(service.verify(token, new Date('2030-01-01T01:00:00.000Z'))).toBeNull();
    expect(service.verifyExpired(token, new Date('2030-01-01T01:00:00.000Z'))).toEqual(claims);
    expect(service.verifyExpired(token, now)).toBeNull();
    expect(service.verify(token, now)).toEqual(claims);
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('never remembers a token that failed, and a changed token is another one', () => {
    const service = es256(newPem);
    const token = service.issue({ userId, loginId, issuedAt: now, expiresAt: service.expiryFor(now) }).token;
    expect(service.verify(token, now)).toEqual(claims);
    const verify = vi.spyOn(jwt, 'verify');
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(service.verify(tampered, now)).toBeNull();
    expect(service.verify(tampered, now)).toBeNull();
    expect(service.verify(`${token} `, now)).toBeNull();
    expect(verify).toHaveBeenCalledTimes(3);
  });

  it(`holds at most ${VERIFIED_TOKEN_CACHE_SIZE} tokens, the least recently used leaving first`, () => {
    const service = createTokenService({ secret, ttlSeconds: 3600 });
    const tokenFor = (i: number) =>
      service.issue({ userId, loginId: `0b7e6c1a-2d3f-4a5b-8c9d-${i.toString(16).padStart(12, '0')}`, issuedAt: now, expiresAt: service.expiryFor(now) })
        .token;
    const [first, second] = [tokenFor(0), tokenFor(1)];
    service.verify(first, now);
    service.verify(second, now);
    for (let i = 2; i < VERIFIED_TOKEN_CACHE_SIZE; i++) {
      service.verify(tokenFor(i), now);
      // The first token is used all along; the second is not.
      if (i === VERIFIED_TOKEN_CACHE_SIZE - 1) service.verify(first, now);
    }
    service.verify(tokenFor(VERIFIED_TOKEN_CACHE_SIZE), now);
    const verify = vi.spyOn(jwt, 'verify');
    expect(service.verify(first, now)).not.toBeNull();
    expect(verify).toHaveBeenCalledTimes(0);
    expect(service.verify(second, now)).not.toBeNull();
    expect(verify).toHaveBeenCalledTimes(1);
  });
});
