import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startDaemon } from './daemon';

/** Debian's nginx package (`.ci/run` installs it when missing). */
export const NGINX_PATH = '/usr/sbin/nginx';
export const nginxAvailable = (): boolean => existsSync(NGINX_PATH);

export interface RunningNginx {
  /** Its error log so far, for a failure's message. */
  errorLog(): Promise<string>;
  stop(): Promise<void>;
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
  const errorLog = () => readFile(errorLogPath, 'utf8').catch(() => '');
  const { stop } = await startDaemon({
    name: 'nginx',
    command: NGINX_PATH,
    args: ['-p', prefix, '-c', configPath, '-g', 'daemon off;'],
    stopSignal: 'SIGQUIT',
    folder: prefix,
    port,
    log: errorLog,
  });
  return { errorLog, stop };
}
