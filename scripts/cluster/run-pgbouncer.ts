import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startDaemon } from './daemon';
import { projectRoot } from './project-root';

/** Debian's pgbouncer package (`.ci/run` installs it when missing). */
export const PGBOUNCER_PATH = '/usr/sbin/pgbouncer';
export const pgbouncerAvailable = (): boolean => existsSync(PGBOUNCER_PATH);

/** deploy/pgbouncer.ini: the file the docs show, run as it is but for the lines `pgbouncerIni` replaces. */
export const DOCUMENTED_PGBOUNCER_INI = path.join(projectRoot(), 'deploy', 'pgbouncer.ini');

export interface RunningPgBouncer {
  /** DATABASE_URL for the instances: the same user, password and database as `directUrl`, through PgBouncer. */
  readonly url: string;
  readonly port: number;
  log(): Promise<string>;
  stop(): Promise<void>;
}

/** Replaces `line` (which must be in `text`) with `replacement`: a documented line that changed silently would go untested. */
function replaceLine(text: string, line: string, replacement: string): string {
  if (!text.includes(line)) throw new Error(`deploy/pgbouncer.ini no longer has the line "${line}": update scripts/cluster/run-pgbouncer.ts`);
  return text.replace(line, replacement);
}

/**
 * deploy/pgbouncer.ini for this machine: its [databases] line pointed at `directUrl`'s server and
 * database, its port, and authentication by trust with the user of `directUrl` (a test cluster has
 * no passwords to check; PgBouncer logs in to PostgreSQL with that user's password, if it has one).
 * Its own files go in `folder`.
 */
export function pgbouncerIni(documented: string, directUrl: URL, port: number, folder: string): string {
  const database = decodeURIComponent(directUrl.pathname.slice(1));
  let ini = replaceLine(
    documented,
    'login_activity = host=127.0.0.1 port=5432 dbname=login_activity',
    `login_activity = host=${directUrl.hostname} port=${directUrl.port || 5432} dbname=${database}`,
  );
  ini = replaceLine(ini, 'listen_port = 6432', `listen_port = ${port}`);
  ini = replaceLine(ini, 'auth_type = scram-sha-256', 'auth_type = trust');
  ini = replaceLine(ini, 'auth_file = /etc/pgbouncer/userlist.txt', `auth_file = ${folder}/userlist.txt`);
  // [pgbouncer] is the file's last section: where this run keeps its pid and log, and no Unix socket.
  return `${ini}\nlogfile = ${folder}/pgbouncer.log\npidfile = ${folder}/pgbouncer.pid\nunix_socket_dir =\n`;
}

/** Runs PgBouncer with deploy/pgbouncer.ini in front of `directUrl`'s PostgreSQL, on `port`. */
export async function startPgBouncer(directUrl: string, port: number): Promise<RunningPgBouncer> {
  const direct = new URL(directUrl);
  const folder = await mkdtemp(path.join(os.tmpdir(), 'login-activity-pgbouncer-'));
  // PgBouncer refuses to run as root: it runs as `postgres`, who must read and write here.
  await chmod(folder, 0o777);
  const user = decodeURIComponent(direct.username || 'postgres');
  await writeFile(path.join(folder, 'userlist.txt'), `"${user}" "${decodeURIComponent(direct.password)}"\n`, { mode: 0o644 });
  const iniPath = path.join(folder, 'pgbouncer.ini');
  await writeFile(iniPath, pgbouncerIni(await readFile(DOCUMENTED_PGBOUNCER_INI, 'utf8'), direct, port, folder), { mode: 0o644 });

  const asRoot = process.getuid?.() === 0;
  const log = () => readFile(path.join(folder, 'pgbouncer.log'), 'utf8').catch(() => '');
  const { stop } = await startDaemon({
    name: 'pgbouncer',
    command: PGBOUNCER_PATH,
    args: [...(asRoot ? ['-u', 'postgres'] : []), iniPath],
    stopSignal: 'SIGINT',
    folder,
    port,
    log,
  });
  const through = new URL(directUrl);
  through.hostname = '127.0.0.1';
  through.port = String(port);
  through.pathname = '/login_activity';
  return { url: through.href, port, log, stop };
}
