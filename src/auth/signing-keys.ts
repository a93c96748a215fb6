import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Es256JwtConfig } from '../config';
import type { Logger } from '../logger';

/** A P-256 public key as a JWKS lists it (RFC 7517, 7518). */
export interface PublicJwk {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
  readonly kid: string;
  readonly alg: 'ES256';
  readonly use: 'sig';
}

export interface VerificationKey {
  /** RFC 7638 thumbprint of the public key: derived, so the same key always has the same kid. */
  readonly kid: string;
  readonly publicKey: KeyObject;
  readonly jwk: PublicJwk;
}

export interface SigningKey extends VerificationKey {
  readonly privateKey: KeyObject;
}

/** The ES256 keys of one server run: the one that signs, and the one before a rotation (verifies only). */
export interface SigningKeys {
  readonly current: SigningKey;
  readonly previous: VerificationKey | null;
}

function publicJwkOf(publicKey: KeyObject): Omit<PublicJwk, 'kid' | 'alg' | 'use'> {
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  if (kty !== 'EC' || crv !== 'P-256' || typeof x !== 'string' || typeof y !== 'string') {
    throw new TypeError('an ES256 key must be an EC key on P-256');
  }
  return { kty, crv, x, y };
}

/** RFC 7638: SHA-256 of the required members in lexicographic order, no whitespace, base64url. */
function jwkThumbprint({ crv, kty, x, y }: { crv: string; kty: string; x: string; y: string }): string {
  return createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
}

function signingKeyFrom(pem: string): SigningKey {
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const members = publicJwkOf(publicKey);
  const kid = jwkThumbprint(members);
  return { kid, privateKey, publicKey, jwk: Object.freeze({ ...members, kid, alg: 'ES256', use: 'sig' }) };
}

/** The keys from PEM text (PKCS#8, P-256), as src/config.ts checked them. */
export function signingKeysFrom(currentPem: string, previousPem: string | null): SigningKeys {
  const current = signingKeyFrom(currentPem);
  const before = previousPem === null ? null : signingKeyFrom(previousPem);
  // The same key given twice would list one kid twice.
  const previous = before === null || before.kid === current.kid ? null : { kid: before.kid, publicKey: before.publicKey, jwk: before.jwk };
  return Object.freeze({ current, previous });
}

const isErrno = (error: unknown, code: string) => error instanceof Error && (error as NodeJS.ErrnoException).code === code;

async function readIfThere(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return null;
    throw error;
  }
}

/**
 * The development key in `file`, made there first if missing. Written to a file of its own and
 * linked into place, which fails if the file exists: instances started together all end up with
 * whichever key was linked first, and nobody ever reads a half-written key.
 */
export async function developmentKey(file: string): Promise<{ readonly pem: string; readonly created: boolean }> {
  const existing = await readIfThere(file);
  if (existing !== null) return { pem: existing, created: false };

  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  let created = false;
  try {
    await writeFile(temporary, pem, { mode: 0o600, flag: 'wx' });
    try {
      await link(temporary, file);
      created = true;
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error;
    }
  } finally {
    await rm(temporary, { force: true });
  }
  // Read back: if another instance won the race, its key is the one.
  const written = await readIfThere(file);
  if (written === null) throw new Error(`the development JWT key ${file} vanished while it was being created`);
  return { pem: written, created };
}

/**
 * The ES256 keys of the configuration: JWT_PRIVATE_KEY, or outside production the development key
 * under .data/, with one warning per start (it is no key to deploy with).
 */
export async function loadSigningKeys(config: Es256JwtConfig, logger: Pick<Logger, 'warn'>): Promise<SigningKeys> {
  if (config.privateKey.kind === 'pem') return signingKeysFrom(config.privateKey.pem, config.previousPrivateKey);
  const { file } = config.privateKey;
  const { pem, created } = await developmentKey(file);
  let keys: SigningKeys;
  try {
    keys = signingKeysFrom(pem, config.previousPrivateKey);
  } catch (error) {
    // Never echo the key itself.
    throw new Error(`the development JWT key in ${file} is not a P-256 private key (PEM, PKCS#8): delete it to make a new one`, { cause: error });
  }
  logger.warn(
    { file, kid: keys.current.kid },
    `JWT_PRIVATE_KEY is not set: ES256 tokens are signed with a development key ${created ? 'generated now and kept' : 'kept'} in ${file}`,
  );
  return keys;
}
