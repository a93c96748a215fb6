import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres';

export interface AdminDatabase {
  /** A superuser connection URL to the maintenance database, for creating and dropping test databases. */
  readonly url: string;
  readonly description: string;
  stop(): Promise<void>;
}

const LOCAL_POSTGRES = 'postgresql://postgres@127.0.0.1:5432/postgres';

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * TEST_DATABASE_URL, else the local PostgreSQL at 127.0.0.1:5432, else an embedded PostgreSQL in a
 * temporary folder: a real server in every case.
 */
export async function openAdminDatabase(): Promise<AdminDatabase> {
  const configured = process.env['TEST_DATABASE_URL'] ?? LOCAL_POSTGRES;
  if (await reachable(configured)) {
    return { url: configured, description: new URL(configured).host, stop: async () => {} };
  }
  if (process.env['TEST_DATABASE_URL']) {
    throw new Error(`TEST_DATABASE_URL (${process.env['TEST_DATABASE_URL']}) is not reachable`);
  }

  const folder = await mkdtemp(path.join(os.tmpdir(), 'login-activity-test-pg-'));
  // As root, the embedded PostgreSQL runs as the `postgres` user, which must be able to enter the folder.
  await chmod(folder, 0o755);
  const embedded = await startEmbeddedPostgres(path.join(folder, 'data'), pino({ level: 'silent' }));
  const url = new URL(embedded.url);
  url.pathname = '/postgres';
  return {
    url: url.toString(),
    description: `embedded PostgreSQL on ${url.host} (nothing answered at 127.0.0.1:5432)`,
    stop: async () => {
      await embedded.stop();
      await rm(folder, { recursive: true, force: true });
    },
  };
}
