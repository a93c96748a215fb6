import { bootstrap, type RunningServer } from '../../src/app';
import { loadConfig } from '../../src/config';

export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long';

/** The real server (the code path of `npm start`) on a free port, against the given database. */
export async function startTestServer(databaseUrl: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    PORT: '0',
    BCRYPT_COST: '4',
    LOG_LEVEL: 'silent',
    JWT_SECRET: TEST_JWT_SECRET,
    ...env,
  });
  return bootstrap(config);
}
