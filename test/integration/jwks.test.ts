import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { bootstrap, type RunningServer } from '../../src/app';
import { developmentKey, signingKeysFrom } from '../../src/auth/signing-keys';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { useTestServer, useTestServerOn } from '../helpers/fixture';
import { GraphQLClient } from '../helpers/graphql-client';
import { ME, logInUser, registerUser, uniqueEmail } from '../helpers/operations';
import { startTestServer } from '../helpers/test-server';

/** JWKS and ES256: tokens checked by a client library nobody here wrote (jose), across a key rotation. */
const p256 = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const oldKey = p256();
const newKey = p256();
const oldKid = signingKeysFrom(oldKey, null).current.kid;
const newKid = signingKeysFrom(newKey, null).current.kid;

const t = useTestServer({ JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: oldKey });

const JWKS_PATH = '/.well-known/jwks.json';
const originOf = (server: RunningServer) => new URL(server.url).origin;
const jwksOf = (server: RunningServer) => createRemoteJWKSet(new URL(JWKS_PATH, originOf(server)));

async function fetchJwks(server: RunningServer) {
  const response = await fetch(new URL(JWKS_PATH, originOf(server)));
  return { response, body: (await response.json()) as { keys: Array<Record<string, string>> } };
}

async function meStatus(api: GraphQLClient, token: string) {
  const response = await api.withToken(token).request<{ me: { id: string } | null }>(ME);
  return { status: response.status, id: response.data?.me?.id, reason: response.errors?.[0]?.extensions?.['reason'], code: response.errors?.[0]?.extensions?.code };
}

describe('GET /.well-known/jwks.json with ES256', () => {
  it('lists the signing key, and jose verifies a token from register and from login against it', async () => {
    const { response, body } = await fetchJwks(t.server);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(body).toEqual({ keys: [{ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), kid: oldKid, alg: 'ES256', use: 'sig' }] });
    // Public members only: no private scalar.
    expect(body.keys[0]).not.toHaveProperty('d');

    const email = uniqueEmail('jwks');
    const jwks = jwksOf(t.server);
    // Each token is used before the next: a login from the same IP and user agent replaces the one before.
    for (const signIn of [() => registerUser(t.api, email), () => logInUser(t.api, email)]) {
      const auth = await signIn();
      const { payload, protectedHeader } = await jwtVerify(auth.token, jwks, { algorithms: ['ES256'] });
      expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'JWT', kid: oldKid });
      expect(payload).toMatchObject({ sub: auth.user.id, sid: auth.login.id });
      expect(payload.exp).toBe(Math.floor(Date.parse(auth.expiresAt) / 1000));
      expect(await meStatus(t.api, auth.token)).toMatchObject({ status: 200, id: auth.user.id });
    }
  });

  it('answers HEAD too, without a body', async () => {
    const response = await fetch(new URL(JWKS_PATH, originOf(t.server)), { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });
});

describe('a key rotation', () => {
  const servers: RunningServer[] = [];
  afterAll(async () => {
    for (const server of servers) await server.stop();
  });

  it('keeps old tokens working while the previous key is listed, and ends them once it is not', async () => {
    const old = await registerUser(t.api, uniqueEmail('rotation'));

    // Step 1: the new key signs, the old one still verifies and stays listed.
    const rotated = await startTestServer(t.db.url, { JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: newKey, JWT_PRIVATE_KEY_PREVIOUS: oldKey });
    servers.push(rotated);
    const rotatedApi = new GraphQLClient(rotated.url);
    expect((await fetchJwks(rotated)).body.keys.map((key) => key.kid)).toEqual([newKid, oldKid]);
    const fresh = await registerUser(rotatedApi, uniqueEmail('rotation'));
    const rotatedJwks = jwksOf(rotated);
    expect((await jwtVerify(old.token, rotatedJwks, { algorithms: ['ES256'] })).protectedHeader.kid).toBe(oldKid);
    expect((await jwtVerify(fresh.token, rotatedJwks, { algorithms: ['ES256'] })).protectedHeader.kid).toBe(newKid);
    expect(await meStatus(rotatedApi, old.token)).toMatchObject({ status: 200, id: old.user.id });
    expect(await meStatus(rotatedApi, fresh.token)).toMatchObject({ status: 200, id: fresh.user.id });
    await rotated.stop();

    // Step 2, once old tokens have lived out JWT_TTL: the previous key goes.
    const after = await startTestServer(t.db.url, { JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: newKey });
    servers.push(after);
    const afterApi = new GraphQLClient(after.url);
    expect((await fetchJwks(after)).body.keys.map((key) => key.kid)).toEqual([newKid]);
    expect(await meStatus(afterApi, old.token)).toEqual({ status: 401, id: undefined, code: 'UNAUTHENTICATED', reason: 'INVALID_TOKEN' });
    const afterJwks = jwksOf(after);
    await expect(jwtVerify(old.token, afterJwks, { algorithms: ['ES256'] })).rejects.toBeInstanceOf(joseErrors.JWKSNoMatchingKey);
    expect((await jwtVerify(fresh.token, afterJwks, { algorithms: ['ES256'] })).payload.sub).toBe(fresh.user.id);
    expect(await meStatus(afterApi, fresh.token)).toMatchObject({ status: 200, id: fresh.user.id });
  });
});

describe('HS256, the default', () => {
  const hs = useTestServerOn(t, {});

  it('serves no JWKS: the path is a 404 like any unknown path', async () => {
    const origin = originOf(hs.server);
    const [jwks, unknown] = await Promise.all([fetch(new URL(JWKS_PATH, origin)), fetch(new URL('/.well-known/nothing.json', origin))]);
    expect(jwks.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(jwks.headers.get('content-type')).toBe(unknown.headers.get('content-type'));
    expect(jwks.headers.get('cache-control')).toBe(unknown.headers.get('cache-control'));
    expect((await jwks.text()).replace(JWKS_PATH, '<path>')).toBe((await unknown.text()).replace('/.well-known/nothing.json', '<path>'));
  });

  it('and each server refuses the other algorithm’s tokens', async () => {
    const hsUser = await registerUser(hs.api, uniqueEmail('hs256'));
    const esUser = await registerUser(t.api, uniqueEmail('es256'));
    expect(await meStatus(t.api, hsUser.token)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', reason: 'INVALID_TOKEN' });
    expect(await meStatus(hs.api, esUser.token)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', reason: 'INVALID_TOKEN' });
    expect(await meStatus(hs.api, hsUser.token)).toMatchObject({ status: 200, id: hsUser.user.id });
  });
});

describe('the development key', () => {
  const folders: string[] = [];
  afterAll(async () => {
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });
  const tempFolder = async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'login-activity-jwks-'));
    folders.push(folder);
    return folder;
  };

  /** The server as `npm start` in `cwd` runs it in development, ES256 and no JWT_PRIVATE_KEY; its warnings kept. */
  async function startInDevelopment(cwd: string) {
    const config = loadConfig(
      {
        NODE_ENV: 'development',
        JWT_ALGORITHM: 'ES256',
        DATABASE_URL: t.db.url,
        PORT: '0',
        BCRYPT_COST: '4',
        NEW_DEVICE_ALERTS: 'false',
        LOG_LEVEL: 'warn',
        LOG_FORMAT: 'json',
      },
      cwd,
    );
    const warnings: string[] = [];
    const logger = createLogger(config, { write: (line: string) => void warnings.push((JSON.parse(line) as { msg: string }).msg) });
    const server = await bootstrap(config, logger);
    return { server, warnings: warnings.filter((message) => message.includes('development key')) };
  }

  it('is generated under .data/ (mode 0600) on the first start, and the same key signs after a restart', async () => {
    const cwd = await tempFolder();
    const file = path.join(cwd, '.data', 'jwt-es256.pem');

    const first = await startInDevelopment(cwd);
    const { body: firstJwks } = await fetchJwks(first.server);
    const token = (await registerUser(new GraphQLClient(first.server.url), uniqueEmail('dev-key'))).token;
    await first.server.stop();
    expect(first.warnings).toEqual([expect.stringMatching(/development key generated now and kept in .*jwt-es256\.pem/)]);
    const pem = await readFile(file, 'utf8');
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const kid = signingKeysFrom(pem, null).current.kid;
    expect(firstJwks.keys.map((key) => key.kid)).toEqual([kid]);

    const second = await startInDevelopment(cwd);
    try {
      expect(second.warnings).toEqual([expect.stringMatching(/development key kept in /)]);
      expect((await fetchJwks(second.server)).body.keys.map((key) => key.kid)).toEqual([kid]);
      expect(await readFile(file, 'utf8')).toBe(pem);
      // A token from before the restart still verifies.
      expect(await meStatus(new GraphQLClient(second.server.url), token)).toMatchObject({ status: 200 });
    } finally {
      await second.server.stop();
    }
  });

  it('is the same key for instances that start together', async () => {
    const file = path.join(await tempFolder(), '.data', 'jwt-es256.pem');
    const results = await Promise.all(Array.from({ length: 8 }, () => developmentKey(file)));
    expect(new Set(results.map((result) => result.pem)).size).toBe(1);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(results[0]?.pem).toBe(await readFile(file, 'utf8'));
    // No temporary file left behind.
    expect(await readdir(path.dirname(file))).toEqual(['jwt-es256.pem']);
  });
});
