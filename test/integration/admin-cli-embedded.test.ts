import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type DatabaseHandle } from '../../src/db/embedded-postgres';

const ADMIN_CLI = path.resolve(__dirname, '../../dist/src/admin-cli.js');

describe('npm run admin beside a server on the embedded PostgreSQL (the README default)', () => {
  let folder: string | undefined;
  let running: DatabaseHandle | undefined;
  afterAll(async () => {
    await running?.stop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('uses the running embedded PostgreSQL instead of starting a second one, and leaves it running', async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'login-activity-admin-'));
    // As root, the embedded PostgreSQL runs as the `postgres` user, which must be able to enter the folder.
    await chmod(folder, 0o755);
    // Where a server started in `folder` without DATABASE_URL keeps it (src/config.ts).
    running = await startEmbeddedPostgres(path.join(folder, '.data', 'postgres'), pino({ level: 'silent' }));
    const admin = (...args: string[]) =>
      promisify(execFile)(process.execPath, [ADMIN_CLI, ...args], { cwd: folder, env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'development' } }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stderr }),
      );

    // Run first on a database no server has migrated yet: the CLI migrates it (under the same lock as servers).
    expect(await admin('grant', 'first-admin@example.com')).toEqual({ code: 1, stdout: 'No user has the email address first-admin@example.com.\n' });
    const client = new pg.Client({ connectionString: running.url });
    await client.connect();
    try {
      await client.query(`insert into users (id, email, password_hash, created_at) values (gen_random_uuid(), 'first-admin@example.com', 'x', now())`);
      const granted = await admin('grant', 'first-admin@example.com');
      expect(granted.code).toBe(0);
      const { rows } = await client.query<{ role: string }>(`select role from users where email = 'first-admin@example.com'`);
      expect(rows).toEqual([{ role: 'ADMIN' }]);
    } finally {
      await client.end();
    }
  }, 90_000);
});
