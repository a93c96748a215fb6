import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningServer } from '../../src/app';
import { printAppSchema } from '../../src/schema';
import { migrationsList } from '../../src/migrations';
import { GraphQLClient, errorCodes } from '../helpers/graphql-client';
import { useTestServer } from '../helpers/fixture';
import { LOGIN, LOGOUT_DEVICE, ME, MY_LOGINS, PASSWORD, logInUser, registerUser, uniqueEmail, type LoginView } from '../helpers/operations';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { startTestServer } from '../helpers/test-server';

const root = path.resolve(__dirname, '..', '..');

/**
 * One server for every test of this file that needs no configuration of its own. The tests that
 * restart the server, rotate its key or trust a proxy start servers of their own, on its database.
 */
const t = useTestServer();

describe('schema.graphql', () => {
  it('is what the code generates (run `npm run schema` after changing the schema)', async () => {
    const committed = await readFile(path.join(root, 'schema.graphql'), 'utf8');
    expect(committed).toBe(await printAppSchema());
  });
});

describe('migrations', () => {
  it('are all listed in src/migrations/index.ts', async () => {
    const files = (await readdir(path.join(root, 'src', 'migrations'))).filter((file) => /^Migration\w+\.ts$/.test(file));
    expect(migrationsList.map((migration) => `${migration.name}.ts`).sort()).toEqual(files.sort());
  });

  it('leave the database exactly as the entities describe it', async () => {
    expect(await t.server.orm.schema.getUpdateSchemaSQL({ wrap: false })).toBe('');
  });
});

describe('a database made by the previous release (MikroORM 6, same migrations)', () => {
  let db: TestDatabase;
  let server: RunningServer | undefined;
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  it('migrates forward with nothing to redo, and keeps its accounts and logins', async () => {
    db = await createTestDatabase();
    // pg_dump --inserts of a database that the MikroORM 6 release created: one user, a second login
    // logged out with logoutDevice, one failed login counted.
    await db.query(await readFile(path.join(root, 'test', 'fixtures', 'mikro-orm-6-database.sql'), 'utf8'));
    server = await startTestServer(db.url);

    expect(await db.query('select name from mikro_orm_migrations order by id')).toEqual(
      migrationsList.map((migration) => ({ name: migration.name })),
    );
    expect(await server.orm.schema.getUpdateSchemaSQL({ wrap: false })).toBe('');

    const api = new GraphQLClient(server.url).withHeaders({ 'user-agent': 'after-upgrade/1' });
    const { token } = await logInUser(api, 'upgrade@example.com');
    const { myLogins } = await api.withToken(token).ok<{ myLogins: LoginView[] }>(MY_LOGINS, { variables: { includeRevoked: true } });
    expect(myLogins.map(({ device, revokedReason }) => ({ device, revokedReason }))).toEqual([
      { device: 'after-upgrade 1', revokedReason: null },
      { device: 'curl 8.5.0', revokedReason: 'LOGOUT' },
      { device: 'Firefox 132 on Linux', revokedReason: null },
    ]);
  });
});

describe('GET /healthz', () => {
  it('answers 200 {"status":"ok"} while the database answers, and says whether live events are listening', async () => {
    const response = await fetch(new URL('/healthz', t.server.url));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', events: 'listening' });
  });
});

describe('a restart on the same database', () => {
  it('keeps valid tokens valid and revoked tokens revoked', async () => {
    const first = await startTestServer(t.db.url);
    const before = new GraphQLClient(first.url);
    const email = uniqueEmail();
    const kept = await registerUser(before.withHeaders({ 'user-agent': 'device-a/1' }), email);
    const revoked = await logInUser(before.withHeaders({ 'user-agent': 'device-b/1' }), email);
    await before.withToken(kept.token).ok(LOGOUT_DEVICE, { variables: { loginId: revoked.login.id } });
    await first.stop();
    await first.stop();

    const second = await startTestServer(t.db.url);
    try {
      const after = new GraphQLClient(second.url);
      expect(await after.withToken(kept.token).ok(ME)).toEqual({ me: kept.user });
      const response = await after.withToken(revoked.token).request(ME);
      expect(response.status).toBe(401);
      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    } finally {
      await second.stop();
    }
  });
});

describe('JWT key rotation', () => {
  it('accepts tokens of JWT_SECRET_PREVIOUS while signing new ones with JWT_SECRET', async () => {
    const oldSecret = 'the-old-secret-of-at-least-32-characters';
    const newSecret = 'the-new-secret-of-at-least-32-characters';

    const before = await startTestServer(t.db.url, { JWT_SECRET: oldSecret });
    const email = uniqueEmail();
    const oldToken = (await registerUser(new GraphQLClient(before.url), email)).token;
    await before.stop();

    const rotating = await startTestServer(t.db.url, { JWT_SECRET: newSecret, JWT_SECRET_PREVIOUS: oldSecret });
    const newToken = (await logInUser(new GraphQLClient(rotating.url).withHeaders({ 'user-agent': 'other/1' }), email)).token;
    await new GraphQLClient(rotating.url).withToken(oldToken).ok(ME);
    await new GraphQLClient(rotating.url).withToken(newToken).ok(ME);
    await rotating.stop();

    const rotated = await startTestServer(t.db.url, { JWT_SECRET: newSecret });
    try {
      expect((await new GraphQLClient(rotated.url).withToken(oldToken).request(ME)).status).toBe(401);
      await new GraphQLClient(rotated.url).withToken(newToken).ok(ME);
    } finally {
      await rotated.stop();
    }
  });
});

describe('lastSeenAt', () => {
  afterEach(() => vi.useRealTimers());

  async function lastSeenOf(token: string): Promise<string> {
    const { myLogins } = await t.api.withToken(token).ok<{ myLogins: LoginView[] }>(MY_LOGINS);
    return myLogins.find((login) => login.current)!.lastSeenAt;
  }

  it('is written at most once a minute per login, off the request path', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = new Date('2030-01-01T12:00:00.000Z');
    vi.setSystemTime(start);
    const { token, login } = await registerUser(t.api);
    expect(login.lastSeenAt).toBe(start.toISOString());

    vi.setSystemTime(new Date(start.getTime() + 59_000));
    await t.api.withToken(token).ok(ME);
    expect(await lastSeenOf(token)).toBe(start.toISOString());

    const minuteLater = new Date(start.getTime() + 60_000);
    vi.setSystemTime(minuteLater);
    await t.api.withToken(token).ok(ME);
    await expect.poll(() => lastSeenOf(token)).toBe(minuteLater.toISOString());

    vi.setSystemTime(new Date(start.getTime() + 90_000));
    await t.api.withToken(token).ok(ME);
    expect(await lastSeenOf(token)).toBe(minuteLater.toISOString());
  });

  it('stops being accepted once its token expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = new Date('2030-02-01T00:00:00.000Z');
    vi.setSystemTime(start);
    const { token, expiresAt } = await registerUser(t.api);
    const api = t.api.withToken(token);
    // Used every 10 days it never idles (SESSION_IDLE_TIMEOUT is 14 days): only its lifetime ends it.
    const lastSeenAt = async () => (await api.ok<{ myLogins: LoginView[] }>(MY_LOGINS)).myLogins[0]!.lastSeenAt;
    for (let at = start.getTime() + 10 * DAY_MS; at < new Date(expiresAt).getTime() - 1000; at += 10 * DAY_MS) {
      vi.setSystemTime(new Date(at));
      await api.ok(ME);
      // The write is off the request path: wait for it, so the next step slides from this use.
      await expect.poll(lastSeenAt).toBe(new Date(at).toISOString());
    }
    vi.setSystemTime(new Date(new Date(expiresAt).getTime() - 1000));
    await api.ok(ME);
    vi.setSystemTime(new Date(expiresAt));
    const response = await t.api.withToken(token).request(ME);
    expect(response.status).toBe(401);
  });
});

const DAY_MS = 24 * 60 * 60 * 1000;

describe('client IP address', () => {
  let behindProxy: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    behindProxy = await startTestServer(t.db.url, { TRUST_PROXY: '1' });
  });
  afterAll(() => behindProxy?.stop());

  it('is the socket address; X-Forwarded-For is ignored by default', async () => {
    const { login } = await registerUser(t.api.withHeaders({ 'x-forwarded-for': '203.0.113.7' }));
    expect(login.ipAddress).toBe('127.0.0.1');
  });

  it('comes from X-Forwarded-For, as far as TRUST_PROXY hops, when set', async () => {
    const api = new GraphQLClient(behindProxy.url).withHeaders({ 'x-forwarded-for': '198.51.100.1, 203.0.113.7' });
    const { login } = await registerUser(api);
    expect(login.ipAddress).toBe('203.0.113.7');
  });
});

describe('unexpected errors', () => {
  it('reach the client as INTERNAL_SERVER_ERROR without SQL or stack trace', async () => {
    const { token } = await registerUser(t.api);
    // The file's database, so the column is renamed back whatever happens.
    await t.db.query('alter table users rename column email to email_renamed');
    let response;
    try {
      response = await t.api.withToken(token).request(ME);
    } finally {
      await t.db.query('alter table users rename column email_renamed to email');
    }
    expect(errorCodes(response)).toEqual(['INTERNAL_SERVER_ERROR']);
    const body = JSON.stringify(response);
    expect(body).not.toMatch(/select|email_renamed|stacktrace|\bat \w+/i);
    expect(response.errors?.[0]?.message).toBe('Internal server error.');
    await t.api.withToken(token).ok(ME);
  });
});
