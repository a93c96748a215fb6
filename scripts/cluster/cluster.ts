import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { freePort } from '../../src/lib/free-port';
import { killOnExit } from './children';
import { projectRoot } from './project-root';
import { startNginx, type RunningNginx } from './run-nginx';
import { startPgBouncer, type RunningPgBouncer } from './run-pgbouncer';

/** deploy/nginx.conf: the file the docs show, run as it is but for its addresses. */
const DOCUMENTED_NGINX_CONF = path.join(projectRoot(), 'deploy', 'nginx.conf');
const SERVER_ENTRY = path.join(projectRoot(), 'dist', 'src', 'server.js');

/** An instance not healthy this long after it was started is killed, and the start fails. */
const START_TIMEOUT_MS = 30_000;
/** An instance still running this long after its stop signal is killed (and its exit code is null). */
const STOP_TIMEOUT_MS = 30_000;

export interface ClusterOptions {
  /** How many server instances. */
  readonly instances: number;
  /** Straight to PostgreSQL: the instances' LISTEN_DATABASE_URL, and where PgBouncer connects. */
  readonly directUrl: string;
  /** nginx's port; 0 or unset: a free one. */
  readonly port?: number;
  /** More environment for every instance (JWT_SECRET, BCRYPT_COST ...). */
  readonly env?: Readonly<Record<string, string>>;
  /** Run instance i on CPU core i only (`taskset`), for the scaling benchmark. */
  readonly pinInstances?: boolean;
}

export interface ClusterInstance {
  readonly index: number;
  readonly port: number;
  /** Its own GraphQL URL, past nginx. */
  readonly url: string;
  /** Everything it has printed, over all its starts. */
  readonly output: string[];
  readonly running: boolean;
  /** The running process' id (the server's own, also under taskset, which execs it); null when stopped. */
  readonly pid: number | null;
  /** Sends the signal (SIGTERM: a graceful shutdown) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Starts it (again) on its port; resolves once its /healthz answers 200. */
  start(): Promise<void>;
}

export interface Cluster {
  /** GraphQL through nginx, e.g. http://127.0.0.1:8080/graphql */
  readonly url: string;
  readonly instances: readonly ClusterInstance[];
  /** The instances' DATABASE_URL: PgBouncer, transaction mode. */
  readonly pooledUrl: string;
  readonly nginx: RunningNginx;
  readonly pgbouncer: RunningPgBouncer;
  stop(): Promise<void>;
}

/** deploy/nginx.conf with this cluster's instances and port. */
export function nginxConf(documented: string, instancePorts: readonly number[], port: number): string {
  const servers = /^ {2}server 127\.0\.0\.1:400\d max_fails=1 fail_timeout=2s;\n/gm;
  const documentedServers = documented.match(servers) ?? [];
  const listen = '  listen 127.0.0.1:8080;';
  if (documentedServers.length === 0 || !documented.includes(listen)) {
    throw new Error('deploy/nginx.conf no longer has the server lines or the listen line this script replaces: update scripts/cluster/cluster.ts');
  }
  const ours = instancePorts.map((instancePort) => `  server 127.0.0.1:${instancePort} max_fails=1 fail_timeout=2s;\n`).join('');
  let replaced = false;
  return documented
    .replace(servers, () => {
      if (replaced) return '';
      replaced = true;
      return ours;
    })
    .replace(listen, `  listen 127.0.0.1:${port};`);
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

class Instance implements ClusterInstance {
  readonly output: string[] = [];
  private child: ChildProcess | null = null;

  constructor(
    readonly index: number,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly pinned: boolean,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/graphql`;
  }

  get pid(): number | null {
    return this.running ? (this.child?.pid ?? null) : null;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.running) throw new Error(`instance ${this.index} is running already`);
    const core = this.index % os.availableParallelism();
    const [command, args] = this.pinned ? ['taskset', ['-c', String(core), process.execPath, SERVER_ENTRY]] : [process.execPath, [SERVER_ENTRY]];
    const child = spawn(command, args, { env: { ...this.env, PORT: String(this.port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    killOnExit(child);
    const exited = exitOf(child);
    for (const stream of [child.stdout!, child.stderr!]) readline.createInterface({ input: stream }).on('line', (line) => this.output.push(line));
    let gone = false;
    void exited.then(() => (gone = true));
    // Ready when its health check says so, whatever LOG_LEVEL hides: what a load balancer waits for too.
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (gone) throw new Error(`instance ${this.index} exited with ${child.exitCode} before it was ready:\n${this.output.slice(-60).join('\n')}`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`instance ${this.index} was not healthy within ${START_TIMEOUT_MS} ms:\n${this.output.slice(-60).join('\n')}`);
      }
      const healthy = await fetch(`http://127.0.0.1:${this.port}/healthz`, { signal: AbortSignal.timeout(1_000) }).then(
        (response) => response.status === 200,
        () => false,
      );
      if (healthy) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.child;
    if (!child || !this.running) return child?.exitCode ?? null;
    child.kill(signal);
    // A graceful stop ends within its 20 s grace (src/app.ts); one that does not is a bug to see, not to wait on.
    const killed = setTimeout(() => {
      this.output.push(`(cluster: instance ${this.index} did not exit ${STOP_TIMEOUT_MS} ms after ${signal}: killed)`);
      child.kill('SIGKILL');
    }, STOP_TIMEOUT_MS);
    try {
      return await exitOf(child);
    } finally {
      clearTimeout(killed);
    }
  }
}

/**
 * The tested topology: PgBouncer (transaction mode) in front of PostgreSQL for DATABASE_URL, the
 * instances (the compiled server, as `npm start` runs it) with LISTEN_DATABASE_URL straight to
 * PostgreSQL, and nginx load-balancing them, WebSockets included, with deploy/'s two files.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const pgbouncer = await startPgBouncer(options.directUrl, await freePort());
  const instancePorts: number[] = [];
  for (let index = 0; index < options.instances; index++) instancePorts.push(await freePort());
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    LOG_FORMAT: 'json',
    DATABASE_URL: pgbouncer.url,
    DATABASE_POOLER: 'transaction',
    LISTEN_DATABASE_URL: options.directUrl,
    // nginx adds the client's address to X-Forwarded-For.
    TRUST_PROXY: '1',
    ...options.env,
  };
  const instances = instancePorts.map((port, index) => new Instance(index, port, env, options.pinInstances ?? false));
  const stopInstances = () => Promise.all(instances.map((instance) => instance.stop()));
  try {
    // Together, as a deployment starts them: the migrations' lock (on LISTEN_DATABASE_URL) lets one migrate.
    await Promise.all(instances.map((instance) => instance.start()));
    const port = options.port || (await freePort());
    const nginx = await startNginx(nginxConf(await readFile(DOCUMENTED_NGINX_CONF, 'utf8'), instancePorts, port), port);
    return {
      url: `http://127.0.0.1:${port}/graphql`,
      instances,
      pooledUrl: pgbouncer.url,
      nginx,
      pgbouncer,
      async stop() {
        await nginx.stop();
        await stopInstances();
        await pgbouncer.stop();
      },
    };
  } catch (error) {
    await stopInstances();
    await pgbouncer.stop();
    throw error;
  }
}
