import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { killOnExit } from './children';

/** Debian's nginx package (`.ci/run` installs it when missing). */
export const NGINX_PATH = '/usr/sbin/nginx';
export const nginxAvailable = (): boolean => existsSync(NGINX_PATH);

export interface RunningNginx {
  /** Its error log so far, for a failure's message. */
  errorLog(): Promise<string>;
  stop(): Promise<void>;
}

async function answers(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1_000) }).then(
    () => true,
    () => false,
  );
}

/**
 * Runs nginx in the foreground with `httpBlock` (what goes inside `http { }`: a file of deploy/ with
 * this run's addresses), everything it writes in a folder of its own, removed on stop. Resolves once
 * `port` answers.
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
events { worker_connections 1024; }
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
  killOnExit(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const errorLog = () => readFile(errorLogPath, 'utf8').catch(() => '');
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGQUIT');
      await exited;
    }
    await rm(prefix, { recursive: true, force: true });
  };

  const deadline = Date.now() + 10_000;
  while (!(await answers(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const why = `nginx ${child.exitCode !== null ? 'exited at start' : `did not answer on ${port}`}: ${stderr}\n${await errorLog()}`;
      await stop();
      throw new Error(why);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { errorLog, stop };
}
