import { generateKeyPairSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { signingKeysFrom } from '../src/auth/signing-keys';
import { createTokenService, VERIFIED_TOKEN_CACHE_SIZE, type TokenService } from '../src/auth/tokens';

/**
 * `npm run build:server && node dist/bench/token-verify.js`: what one token check costs, per
 * algorithm, on a cache miss (a token seen for the first time: the signature is checked) and on a
 * hit (the same token again: only the Map and `exp`). Medians of several rounds, in µs per call.
 */
const ROUNDS = 7;
const CALLS = 5_000;
const now = new Date();
const userId = '6f1c2f4e-8a1b-4c3d-9e5f-0a1b2c3d4e5f';

const pem = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const services: Record<string, TokenService> = {
  HS256: createTokenService({ secret: 'b'.repeat(48), ttlSeconds: 3600 }),
  ES256: createTokenService({ algorithm: 'ES256', keys: signingKeysFrom(pem(), null), ttlSeconds: 3600 }),
};

let issued = 0;
/** Distinct tokens (HS256 is deterministic: the same claims would make the same token, a hit). */
function tokensOf(service: TokenService, count: number): string[] {
  return Array.from({ length: count }, () => {
    const loginId = `0b7e6c1a-2d3f-4a5b-8c9d-${(issued++).toString(16).padStart(12, '0')}`;
    return service.issue({ userId, loginId, issuedAt: now, expiresAt: service.expiryFor(now) }).token;
  });
}

function microsPerCall(run: () => void): number {
  const start = performance.now();
  run();
  return ((performance.now() - start) * 1000) / CALLS;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

console.log(`token verification, µs per call (median of ${ROUNDS} rounds × ${CALLS} calls; cache of ${VERIFIED_TOKEN_CACHE_SIZE})\n`);
console.log('| algorithm | cache miss (signature checked) | cache hit |');
console.log('| --- | --- | --- |');
for (const [algorithm, service] of Object.entries(services)) {
  const misses: number[] = [];
  const hits: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Fresh tokens each round: each call of the miss loop checks a signature (and evicts an old entry).
    const fresh = tokensOf(service, CALLS);
    misses.push(microsPerCall(() => fresh.forEach((token) => service.verify(token, now))));
    hits.push(microsPerCall(() => fresh.forEach((token) => service.verify(token, now))));
  }
  console.log(`| ${algorithm} | ${median(misses).toFixed(2)} | ${median(hits).toFixed(2)} |`);
}
