import { randomBytes } from 'node:crypto';
import os from 'node:os';
import autocannon from 'autocannon';
import pg from 'pg';
import { openAdminDatabase, type AdminDatabase } from '../test/helpers/admin-database';
import { spawnServer, type ServerProcess } from '../test/helpers/server-process';

export const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
export const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);

export interface LoadResult {
  requestsPerSecond: number;
  /** Responses received, whatever their status (summed by medianOf, as errors are). */
  completed: number;
  p50: number;
  p99: number;
  errors: number;
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export function medianOf(results: LoadResult[]): LoadResult {
  return {
    requestsPerSecond: median(results.map((result) => result.requestsPerSecond)),
    p50: median(results.map((result) => result.p50)),
    p99: median(results.map((result) => result.p99)),
    completed: results.reduce((sum, result) => sum + result.completed, 0),
    errors: results.reduce((sum, result) => sum + result.errors, 0),
  };
}

export interface LoadOptions {
  connections: number;
  /** POST (GraphQL, the default) or GET (`bodies` then unused: /auth/session, say). */
  method?: 'GET' | 'POST';
  seconds?: number;
  headers?: Record<string, string>;
  /** One body per request, cycled; or a single body. */
  bodies: string[];
  /** Headers per request, cycled over `headers` (several users' tokens, say). */
  headerSets?: ReadonlyArray<Readonly<Record<string, string>>>;
  /** Stops the load when this settles, instead of after `seconds`. */
  until?: Promise<unknown>;
}

/** autocannon against POST /graphql (or GET `url`); a 2xx without `errors` counts as success. */
export async function load(url: string, options: LoadOptions): Promise<LoadResult> {
  let next = 0;
  let graphQLErrors = 0;
  let finished!: (result: autocannon.Result) => void;
  const done = new Promise<autocannon.Result>((resolve) => (finished = resolve));
  const instance = autocannon({
    url,
    method: options.method ?? 'POST',
    connections: options.connections,
    duration: options.until ? 600 : (options.seconds ?? SECONDS),
    headers: { 'content-type': 'application/json', ...options.headers },
    requests: [
      {
        setupRequest: (request) => {
          const index = next++;
          const headerSet = options.headerSets?.[index % options.headerSets.length];
          const body = options.method === 'GET' ? undefined : options.bodies[index % options.bodies.length]!;
          return { ...request, body, ...(headerSet ? { headers: { ...request.headers, ...headerSet } } : {}) };
        },
        onResponse: (_status, body) => {
          if (body.includes('"errors"')) graphQLErrors += 1;
        },
      },
    ],
  }, (error, result) => {
    if (error) throw error;
    finished(result);
  });
  void options.until?.finally(() => instance.stop());
  const result = await done;
  return {
    // Completed responses over the whole run: per-second averages round slow loads (logins) to 0 or 1.
    requestsPerSecond: result.requests.total / result.duration,
    completed: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts + graphQLErrors,
  };
}

export const row = (name: string, result: LoadResult) =>
  `| ${name} | ${result.requestsPerSecond.toFixed(0)} | ${result.p50} | ${result.p99} | ${result.errors} |`;
export const TABLE_HEAD = '| load | req/s | p50 ms | p99 ms | errors |\n| --- | --- | --- | --- | --- |';

export async function post<T = any>(url: string, query: string, variables: object = {}, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as { data?: T; errors?: Array<{ extensions?: { code?: string } }> } };
}

export interface BenchDatabase {
  url: string;
  admin: AdminDatabase;
  query(sql: string | pg.QueryConfig, params?: unknown[]): Promise<pg.QueryResult>;
  drop(): Promise<void>;
}

export async function createBenchDatabase(): Promise<BenchDatabase> {
  const admin = await openAdminDatabase();
  const name = `login_activity_bench_${randomBytes(4).toString('hex')}`;
  const adminClient = new pg.Client({ connectionString: admin.url });
  await adminClient.connect();
  await adminClient.query(`create database "${name}"`);
  const url = new URL(admin.url);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  // An idle connection ended by the server (the database being dropped) must not crash the bench.
  pool.on('error', () => {});
  return {
    url: url.toString(),
    admin,
    query: (sql, params = []) => (typeof sql === 'string' ? pool.query(sql, params) : pool.query(sql)),
    async drop() {
      await pool.end();
      await adminClient.query(`drop database if exists "${name}" with (force)`);
      await adminClient.end();
      await admin.stop();
    },
  };
}

/**
 * Every bench client signs in from 127.0.0.1: scenarios that sign many users in to set up their load
 * open the bcrypt queue's per-IP and per-account shares wide (scenario "flood" measures the queue).
 */
export const WIDE_BCRYPT_QUEUE = { BCRYPT_QUEUE_LIMIT: '1000', BCRYPT_QUEUE_PER_IP: '1000', BCRYPT_QUEUE_PER_ACCOUNT: '1000' } as const;

/** The JWT secret of every server the bench starts: a peer that verifies our tokens (scenario "peers") needs it too. */
export const BENCH_JWT_SECRET = 'bench-secret-of-at-least-32-characters-long';

/** The server as `npm start` runs it, in its own process so the load generator does not share its CPU time. */
export async function startServer(databaseUrl: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  return spawnServer(
    {
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      JWT_SECRET: BENCH_JWT_SECRET,
      LOG_LEVEL: 'info',
      BCRYPT_COST: '12',
      ...env,
    },
    process.cwd(),
  ).ready;
}

export function machine(admin: AdminDatabase): string {
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; PostgreSQL: ${admin.description}`;
}
