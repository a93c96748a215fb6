import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type DatabaseHandle } from '../../src/db/embedded-postgres';

describe('a second embedded PostgreSQL on a data folder in use', () => {
  let folder: string | undefined;
  let first: DatabaseHandle | undefined;
  afterAll(async () => {
    await first?.stop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('fails at once, naming the process that holds the folder and what to do, at any log level', async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'login-activity-in-use-'));
    // As root, the embedded PostgreSQL runs as the `postgres` user, which must be able to enter the folder.
    await chmod(folder, 0o755);
    const dataDir = path.join(folder, 'postgres');
    first = await startEmbeddedPostgres(dataDir, pino({ level: 'silent' }));
    const pid = Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);

    const second = startEmbeddedPostgres(dataDir, pino({ level: 'silent' }));
    const error = await second.then(
      () => null,
      (reason: unknown) => reason as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toContain(dataDir);
    expect(error!.message).toContain(`pid ${pid}`);
    // This test's own process started the first one.
    expect(error!.message).toContain(`pid ${process.pid}`);
    expect(error!.message).toMatch(/Stop that server first, or set DATABASE_URL/);
  }, 60_000);
});
