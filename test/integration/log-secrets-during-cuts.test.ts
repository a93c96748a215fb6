import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { GraphQLClient } from '../helpers/graphql-client';
import { LOGIN, PASSWORD, REGISTER, registerUser, uniqueEmail } from '../helpers/operations';
import { TcpProxy } from '../helpers/tcp-proxy';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { startTestServer } from '../helpers/test-server';

const CUTS = 10;
const REQUESTS_PER_CUT = 6;

let db: TestDatabase;
let proxy: TcpProxy;
let server: RunningServer;
let api: GraphQLClient;
const logLines: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  proxy = await TcpProxy.inFrontOf(db.url);
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger(loadConfig({ LOG_LEVEL: 'trace', LOG_FORMAT: 'json' }), capture);
  server = await startTestServer(proxy.proxiedUrl(db.url), { NODE_ENV: 'production', LOG_LEVEL: 'trace' }, logger);
  api = new GraphQLClient(server.url);
});
afterAll(async () => {
  await server?.stop();
  await proxy?.cut();
  await db?.drop();
});

describe('the log while database connections are cut', () => {
  it('holds no password, bcrypt hash, email or SQL from the database driver', async () => {
    const emails: string[] = [];
    const existing = uniqueEmail('existing');
    emails.push(existing);
    await registerUser(api, existing);

    for (let cut = 0; cut < CUTS; cut++) {
      // Alternately at the INSERT of a registration and of a login's row, with requests in flight.
      const statement = cut % 2 === 0 ? /insert into "users"/i : /insert into "user_logins"/i;
      const tripped = proxy.cutWhenSent(statement);
      const requests = Array.from({ length: REQUESTS_PER_CUT }, (_, index) => {
        if (cut % 2 === 1 && index % 2 === 0) return api.request(LOGIN, { variables: { input: { email: existing, password: PASSWORD } } });
        const email = uniqueEmail(`cut${cut}`);
        emails.push(email);
        return api.request(REGISTER, { variables: { input: { email, password: PASSWORD } } });
      });
      await tripped;
      await Promise.allSettled(requests);
      await proxy.restore();
    }
    // The server serves again once the database is back.
    await expect.poll(async () => (await api.request(LOGIN, { variables: { input: { email: existing, password: PASSWORD } } })).status, { timeout: 10_000 }).toBe(200);

    const hashes = await db.query<{ password_hash: string }>('select password_hash from users');
    const everything = logLines.join('\n');
    expect(everything).toMatch(/database|unavailable/i);
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toMatch(/\$2[aby]?\$/);
    expect(everything).not.toMatch(/insert into/i);
    for (const { password_hash } of hashes) expect(everything).not.toContain(password_hash);
    for (const email of emails) expect(everything).not.toContain(email);
  });
});
