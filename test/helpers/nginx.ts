import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe } from 'vitest';

/** Debian's nginx package (`.ci/run` installs it when missing). */
export const NGINX_PATH = '/usr/sbin/nginx';
export const nginxAvailable = existsSync(NGINX_PATH);

/** `describe` for tests that need nginx: where there is none, skipped with a banner rather than failed. */
export function describeWithNginx(name: string, body: () => void): void {
  if (!nginxAvailable) console.warn(`\n*** NGINX TESTS SKIPPED: no nginx at ${NGINX_PATH} ("${name}"); apt-get install nginx ***\n`);
  describe.skipIf(!nginxAvailable)(name, body);
}

export interface RunningNginx {
  /** The last lines of its error log, for a failure's message. */
  errorLog(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Runs nginx in the foreground with `httpBlock` (what goes inside `http { }`, e.g. a file of deploy/),
 * everything it writes kept in a folder of its own, removed on stop. Resolves once `port` answers.
 */
export async function startNginx(httpBlock: string, port: number): Promise<RunningNginx> {
  const prefix = await mkdtemp(path.join(os.tmpdir(), 'login-activity-nginx-'));
  // As root, nginx's workers run as `nobody`, who must reach the temp folders.
  await chmod(prefix, 0o755);
  const errorLogPath = path.join(prefix, 'error.log');
  const config = `
pid ${prefix}/nginx.pid;
error_log ${errorLogPath} warn;
worker_processes 1;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
${httpBlock}
}
`;
  const configPath = path.join(prefix, 'nginx.conf');
  await writeFile(configPath, config);
  const child: ChildProcess = spawn(NGINX_PATH, ['-p', prefix, '-c', configPath, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const errorLog = () => readFile(errorLogPath, 'utf8').catch(() => '');

  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited at start: ${stderr}\n${await errorLog()}`);
    const up = await fetch(`http://127.0.0.1:${port}/`).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error(`nginx did not answer on ${port}: ${stderr}\n${await errorLog()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    errorLog,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGQUIT');
        await exited;
      }
      await rm(prefix, { recursive: true, force: true });
    },
  };
}
