import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphQLClient, errorCodes } from '../helpers/graphql-client';
import { LOGIN, LOGOUT_DEVICE, ME, REGISTER, PASSWORD, logInUser, registerUser, uniqueEmail } from '../helpers/operations';
import { spawnServer } from '../helpers/server-process';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

const SECRET = 'process-test-secret-at-least-32-characters';

describe('the server process (npm start)', () => {
  let workdir: string;
  beforeAll(async () => {
    workdir = await mkdtemp(path.join(os.tmpdir(), 'login-activity-process-'));
    // As root, the embedded PostgreSQL runs as the `postgres` user, which must be able to enter the folder.
    await chmod(workdir, 0o755);
  });
  afterAll(() => rm(workdir, { recursive: true, force: true }));

  describe('with DATABASE_URL', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase();
    });
    afterAll(() => db?.drop());

    it('logs its URL, serves GraphQL, and on SIGTERM finishes in-flight requests before exiting 0', async () => {
      const server = await spawnServer({ DATABASE_URL: db.url, JWT_SECRET: SECRET, BCRYPT_COST: '13' }, workdir).ready;
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
      const api = new GraphQLClient(server.url);
      // Open the keep-alive connection first, so the next request is on the wire at once.
      await api.ok('{ __typename }');

      const email = uniqueEmail();
      // bcrypt at cost 13 (about 0.8 s here) keeps this request busy while SIGTERM arrives.
      const inFlight = api.request(REGISTER, { variables: { input: { email, password: PASSWORD } } });
      // A registration is counted (rate_limits) before its password is hashed: once it is, the server
      // is busy with the request.
      await expect
        .poll(async () => (await db.query("select 1 from rate_limits where key like 'registrations-ip:%'")).length, { timeout: 10_000, interval: 10 })
        .toBe(1);
      const exitCode = server.stop('SIGTERM');

      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(response.errors).toBeUndefined();
      expect(await exitCode).toBe(0);
      expect(server.output.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
      expect(await db.query('select 1 from users where email = $1', [email])).toHaveLength(1);
      await expect(fetch(server.url)).rejects.toThrow();
    });
  });

  describe('under load', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase();
    });
    afterAll(() => db?.drop());

    it('on SIGTERM with 50 requests in flight, answers every one that arrived and leaves no half-written login', async () => {
      // bcrypt cost 9 keeps the 50 logins busy for a few seconds, well inside the 20 s shutdown grace.
      const env = { DATABASE_URL: db.url, JWT_SECRET: SECRET, BCRYPT_COST: '9', RATE_LIMIT_LOGIN_FAILURES_PER_EMAIL_IP: '1000' };
      // All 50 stay in flight: the bcrypt queue's shares would refuse most of one account's logins.
      Object.assign(env, { BCRYPT_QUEUE_PER_ACCOUNT: '50', BCRYPT_QUEUE_PER_IP: '50', BCRYPT_QUEUE_LIMIT: '50' });
      const server = await spawnServer(env, workdir).ready;
      const api = new GraphQLClient(server.url);
      const email = uniqueEmail();
      const { user } = await registerUser(api, email);

      const requests = Array.from({ length: 50 }, (_, device) =>
        api
          .withHeaders({ 'user-agent': `load-${device}/1` })
          .request(LOGIN, { variables: { input: { email, password: PASSWORD } } })
          .then(
            (response) => ({ answered: true as const, response }),
            (error: unknown) => ({ answered: false as const, error }),
          ),
      );
      // The server is working through them: the first of the 50 logins is written, the others are in flight.
      await expect
        .poll(async () => (await db.query('select 1 from user_logins where user_id = $1', [user.id])).length, { timeout: 15_000, interval: 10 })
        .toBeGreaterThan(1);
      const exitCode = server.stop('SIGTERM');
      const results = await Promise.all(requests);
      expect(await exitCode).toBe(0);
      const outcomes = results.map((result) => (result.answered ? String(result.response.status) : 'no answer'));
      const tally = new Map<string, number>();
      for (const outcome of outcomes) tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
      console.log(`SIGTERM with 50 logins in flight: ${JSON.stringify(Object.fromEntries(tally))}`);

      const succeeded = results.filter((result) => result.answered && result.response.status === 200 && !result.response.errors);
      // Whatever was not answered with a login got a clean refusal: an error response, or a refused connection.
      for (const result of results) {
        if (result.answered && result.response.status !== 200) expect([503]).toContain(result.response.status);
      }
      expect(succeeded.length).toBeGreaterThan(0);
      const rows = await db.query<{ revoked_at: Date | null; revoked_reason: string | null }>(
        'select revoked_at, revoked_reason from user_logins where user_id = $1',
        [user.id],
      );
      expect(rows).toHaveLength(1 + succeeded.length);
      for (const row of rows) expect(row.revoked_at === null).toBe(row.revoked_reason === null);
    });
  });

  it('starts an embedded PostgreSQL under .data/ when DATABASE_URL is unset, keeping data across restarts', async () => {
    const first = await spawnServer({ JWT_SECRET: SECRET }, workdir).ready;
    expect(first.output.join('\n')).toContain('"database":"embedded"');
    const email = uniqueEmail();
    const kept = await registerUser(new GraphQLClient(first.url).withHeaders({ 'user-agent': 'a/1' }), email);
    const revoked = await logInUser(new GraphQLClient(first.url).withHeaders({ 'user-agent': 'b/1' }), email);
    await new GraphQLClient(first.url).withToken(kept.token).ok(LOGOUT_DEVICE, { variables: { loginId: revoked.login.id } });
    expect(await first.stop()).toBe(0);
    expect(existsSync(path.join(workdir, '.data', 'postgres', 'PG_VERSION'))).toBe(true);
    // PostgreSQL was stopped with the server, not left running.
    expect(existsSync(path.join(workdir, '.data', 'postgres', 'postmaster.pid'))).toBe(false);

    const second = await spawnServer({ JWT_SECRET: SECRET }, workdir).ready;
    try {
      const api = new GraphQLClient(second.url);
      expect(await api.withToken(kept.token).ok(ME)).toEqual({ me: kept.user });
      const response = await api.withToken(revoked.token).request(ME);
      expect(response.status).toBe(401);
      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  }, 120_000);

  it('refuses to start in production without a JWT_SECRET, saying why', async () => {
    const { exited, output } = spawnServer({ NODE_ENV: 'production', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }, workdir);
    expect(await exited).toBe(1);
    expect(output.join('\n')).toContain('JWT_SECRET is required');
  });
});
