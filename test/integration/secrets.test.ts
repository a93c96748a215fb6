import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { GraphQLClient } from '../helpers/graphql-client';
import { LOGIN, REGISTER, LOGOUT_DEVICE, ME, MY_LOGINS, PASSWORD, logInUser, registerUser, uniqueEmail } from '../helpers/operations';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { TEST_JWT_SECRET, startTestServer } from '../helpers/test-server';

/** A production server whose every log line, at the most verbose level, is kept for inspection. */
let db: TestDatabase;
let server: RunningServer;
let api: GraphQLClient;
const logLines: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger(loadConfig({ LOG_LEVEL: 'trace', LOG_FORMAT: 'json' }), capture);
  server = await startTestServer(db.url, { NODE_ENV: 'production', LOG_LEVEL: 'trace' }, logger);
  api = new GraphQLClient(server.url);
});
afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

describe('secrets', () => {
  it('never reach a log: no token, password or password hash, whatever happens', async () => {
    const email = uniqueEmail();
    const registered = await registerUser(api, email);
    const second = await logInUser(api.withHeaders({ 'user-agent': 'second/1' }), email);
    await api.request(LOGIN, { variables: { input: { email, password: 'wrong password 1' } } });
    await api.withToken(registered.token).ok(MY_LOGINS);
    await api.withToken(registered.token).ok(LOGOUT_DEVICE, { variables: { loginId: second.login.id } });
    await api.withToken(second.token).request(ME);
    await api.request(ME, { headers: { authorization: `Bearer ${registered.token}x` } });
    // An unexpected error (the table renamed under the server) must log its cause, not the request's secrets.
    await db.query('alter table users rename to users_away');
    await api.request(LOGIN, { variables: { input: { email, password: PASSWORD } } });
    await db.query('alter table users_away rename to users');
    await db.query('alter table users rename to users_away');
    await api.request(REGISTER, { variables: { input: { email: uniqueEmail(), password: PASSWORD } } });
    await db.query('alter table users_away rename to users');

    const [user] = await db.query<{ password_hash: string }>('select password_hash from users where email = $1', [email]);
    const [, payload, signature] = registered.token.split('.');
    const everything = logLines.join('\n');
    expect(logLines.length).toBeGreaterThan(0);
    expect(everything).toContain('unexpected error');
    // No bcrypt hash of anyone, such as the one in a failed INSERT's SQL.
    expect(everything).not.toMatch(/\$2[aby]\$\d\d\$/);
    for (const secret of [PASSWORD, 'wrong password 1', user!.password_hash, registered.token, second.token, signature!, payload!, TEST_JWT_SECRET]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('never reach a client in production: no SQL, stack trace or driver message in errors', async () => {
    const { token } = await registerUser(api);
    await db.query('alter table user_logins rename column created_at to created_at_gone');
    try {
      const response = await api.withToken(token).request(MY_LOGINS);
      expect(response.errors).toEqual([
        { message: 'Internal server error.', path: ['myLogins'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      ]);
    } finally {
      await db.query('alter table user_logins rename column created_at_gone to created_at');
    }
  });

  it('are not in the token: only sub, sid, iat and exp', async () => {
    const { token } = await registerUser(api);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(Object.keys(claims).sort()).toEqual(['exp', 'iat', 'sid', 'sub']);
  });
});
