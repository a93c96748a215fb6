import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import autocannon from 'autocannon';
import pg from 'pg';
import { bootstrap } from '../src/app';
import { loadConfig } from '../src/config';
import { openAdminDatabase } from '../test/helpers/admin-database';

/**
 * `npm run bench`: starts the real server on a fresh database and measures it over HTTP.
 * Compared loads run alternately on the same server, several rounds, and the median is reported,
 * because a shared machine is noisy.
 */

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const CONNECTIONS = 32;

interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

async function load(url: string, query: string, headers: Record<string, string> = {}): Promise<LoadResult> {
  const result = await autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
  };
}

async function post(url: string, query: string, variables: object = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: unknown[] };
}

function row(name: string, results: LoadResult[]): string {
  const pick = (key: keyof LoadResult) => median(results.map((result) => result[key]));
  return `| ${name} | ${pick('requestsPerSecond').toFixed(0)} | ${pick('p50')} | ${pick('p99')} | ${results.reduce((sum, r) => sum + r.errors, 0)} |`;
}

async function main() {
  const admin = await openAdminDatabase();
  const name = `login_activity_bench_${randomBytes(4).toString('hex')}`;
  const adminClient = new pg.Client({ connectionString: admin.url });
  await adminClient.connect();
  await adminClient.query(`create database "${name}"`);
  const databaseUrl = new URL(admin.url);
  databaseUrl.pathname = `/${name}`;

  const server = await bootstrap(
    loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl.toString(),
      PORT: '0',
      LOG_LEVEL: 'silent',
      JWT_SECRET: randomBytes(32).toString('hex'),
    }),
  );
  try {
    console.log(`# login-activity benchmark\n`);
    console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; PostgreSQL: ${admin.description}`);
    console.log(`${ROUNDS} rounds × ${SECONDS} s per load, ${CONNECTIONS} connections, loads alternated\n`);

    const email = 'bench@example.com';
    const password = 'correct horse battery';
    const registered = await post(server.url, 'mutation($input: RegisterInput!) { register(input: $input) { token } }', {
      input: { email, password },
    });
    const token: string = registered.data.register.token;

    // 1. Auth overhead: the session check on every request vs a request with no auth at all.
    const anonymous: LoadResult[] = [];
    const authenticated: LoadResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      anonymous.push(await load(server.url, '{ __typename }'));
      authenticated.push(await load(server.url, '{ me { id } }', { authorization: `Bearer ${token}` }));
    }
    console.log('## Auth overhead\n');
    console.log('| load | req/s | p50 ms | p99 ms | errors |\n| --- | --- | --- | --- | --- |');
    console.log(row('anonymous `{ __typename }`', anonymous));
    console.log(row('authenticated `{ me { id } }`', authenticated));
    const ratios = anonymous.map((a, i) => authenticated[i]!.requestsPerSecond / a.requestsPerSecond);
    console.log(`\nratio authenticated / anonymous req/s (median of ${ROUNDS} rounds): ${median(ratios).toFixed(2)}\n`);

    // 2. Failed logins take as long whether or not the email exists (bcrypt against a dummy hash).
    const LOGIN = 'mutation($input: LoginInput!) { login(input: $input) { token } }';
    const timings = { wrongPassword: [] as number[], unknownEmail: [] as number[] };
    for (let attempt = 0; attempt < 10; attempt++) {
      for (const [kind, input] of [
        ['wrongPassword', { email, password: 'wrong password!' }],
        ['unknownEmail', { email: `nobody-${attempt}@example.com`, password }],
      ] as const) {
        const started = performance.now();
        await post(server.url, LOGIN, { input });
        timings[kind].push(performance.now() - started);
      }
    }
    const wrong = median(timings.wrongPassword);
    const unknown = median(timings.unknownEmail);
    console.log('## Failed login timing (bcrypt cost 12, 10 each, alternated)\n');
    console.log(`wrong password: median ${wrong.toFixed(0)} ms; unknown email: median ${unknown.toFixed(0)} ms; ratio ${(unknown / wrong).toFixed(2)}`);
  } finally {
    await server.stop();
    await adminClient.query(`drop database if exists "${name}" with (force)`);
    await adminClient.end();
    await admin.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
