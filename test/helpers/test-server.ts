import { bootstrap, type RunningServer } from '../../src/app';
import { loadConfig } from '../../src/config';
import type { Logger } from '../../src/logger';

export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long';

/** What every test server (and every instance of the cluster test) runs with, beside its database. */
export const TEST_LIMITS = {
  BCRYPT_COST: '4',
  JWT_SECRET: TEST_JWT_SECRET,
  // Every test registers and logs in from 127.0.0.1; the rate-limit tests set their own limits.
  RATE_LIMIT_REGISTRATIONS_PER_IP: '1000000',
  RATE_LIMIT_LOGIN_FAILURES_PER_IP: '1000000',
  RATE_LIMIT_LOGIN_FAILURES_PER_EMAIL_IP: '1000000',
  // Tests log in many at once from one address; the bcrypt queue tests set their own shares.
  BCRYPT_QUEUE_LIMIT: '100000',
  BCRYPT_QUEUE_PER_ACCOUNT: '100000',
  BCRYPT_QUEUE_PER_IP: '100000',
} as const;

/** The real server (the code path of `npm start`) on a free port, against the given database. */
export async function startTestServer(
  databaseUrl: string,
  env: Record<string, string> = {},
  logger?: Logger,
): Promise<RunningServer> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    PORT: '0',
    LOG_LEVEL: 'silent',
    ...TEST_LIMITS,
    // A stopping server waits for its idle keep-alive connections to be closed by their clients (or
    // by this timeout): fetch keeps them 4 s, and test files stop many servers, each holding its
    // database connections meanwhile. The shutdown tests set what they need.
    HTTP_KEEP_ALIVE_TIMEOUT: '1s',
    ...env,
  });
  return bootstrap(config, logger);
}
