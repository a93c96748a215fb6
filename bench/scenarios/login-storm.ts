import { randomUUID } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { load, median, post, ROUNDS, startServer, WIDE_BCRYPT_QUEUE, type BenchDatabase, type LoadResult } from '../lib';

const STORM_LOGINS = 50;
const READ_CONNECTIONS = 8;
const PASSWORD = 'correct horse battery';

interface StormResult {
  loginsPerSecond: number;
  loginP50: number;
  loginP99: number;
  loginErrors: number;
  /** Absent when the storm ran alone. */
  reads?: LoadResult;
}

/** Inserts users straight into the database with one precomputed hash: registering 50 users through the API would take longer than the storm. */
async function seedUsers(db: BenchDatabase, count: number): Promise<string[]> {
  const hash = bcrypt.hashSync(PASSWORD, 12);
  const emails = Array.from({ length: count }, (_, i) => `storm-${i}@example.com`);
  await db.query(
    `insert into users (id, email, password_hash, created_at) select gen_random_uuid(), e, $2, now() from unnest($1::text[]) as e on conflict do nothing`,
    [emails, hash],
  );
  return emails;
}

/** 50 logins at once (one per user); with a token, authenticated reads run until the last login is answered. */
async function storm(url: string, emails: string[], readToken?: string): Promise<StormResult> {
  const query = 'mutation($input: LoginInput!) { login(input: $input) { token } }';
  const started = performance.now();
  const latencies: number[] = [];
  let loginErrors = 0;
  const logins = Promise.all(
    emails.map(async (email) => {
      const response = await post(url, query, { input: { email, password: PASSWORD } });
      latencies.push(performance.now() - started);
      if (response.status !== 200 || response.body.errors) loginErrors += 1;
    }),
  );
  const reads = readToken
    ? await load(url, {
        connections: READ_CONNECTIONS,
        until: logins,
        headers: { authorization: `Bearer ${readToken}` },
        bodies: [JSON.stringify({ query: '{ me { id } }' })],
      })
    : undefined;
  await logins;
  const elapsedSeconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    // Successful logins only: a login refused early (a timeout while the main thread was blocked) is no throughput.
    loginsPerSecond: (emails.length - loginErrors) / elapsedSeconds,
    loginP50: Math.round(median(latencies)),
    loginP99: Math.round(latencies[Math.ceil(latencies.length * 0.99) - 1]!),
    loginErrors,
    ...(reads ? { reads } : {}),
  };
}

/** Scenario 2: 50 concurrent logins at bcrypt cost 12 while authenticated reads go on, with and without the worker pool. */
export async function loginStorm(db: BenchDatabase): Promise<void> {
  // The storm comes from one IP address: the bcrypt queue is opened wide so that all 50 are checked.
  const wideQueue = WIDE_BCRYPT_QUEUE;
  const servers = {
    pool: await startServer(db.url, wideQueue),
    mainThread: await startServer(db.url, { ...wideQueue, BCRYPT_WORKERS: '0' }),
  };
  try {
    const emails = await seedUsers(db, STORM_LOGINS);
    const tokens: Record<keyof typeof servers, string> = { pool: '', mainThread: '' };
    for (const key of ['pool', 'mainThread'] as const) {
      const registered = await post<{ register: { token: string } }>(
        servers[key].url,
        'mutation($input: RegisterInput!) { register(input: $input) { token } }',
        { input: { email: `reader-${randomUUID()}@example.com`, password: PASSWORD } },
      );
      tokens[key] = registered.body.data!.register.token;
    }
    // Throughput alone (the ratio), then the same storm with reads alongside (their latency).
    const alone: Record<keyof typeof servers, StormResult[]> = { pool: [], mainThread: [] };
    const withReads: Record<keyof typeof servers, StormResult[]> = { pool: [], mainThread: [] };
    const rounds = Math.max(1, ROUNDS - 1);
    for (let round = 0; round < rounds; round++) {
      for (const key of ['pool', 'mainThread'] as const) alone[key].push(await storm(servers[key].url, emails));
    }
    for (const key of ['pool', 'mainThread'] as const) withReads[key].push(await storm(servers[key].url, emails, tokens[key]));

    console.log(`## 2. Login storm (${STORM_LOGINS} simultaneous logins at bcrypt cost 12)\n`);
    console.log(`Logins alone, ${rounds} rounds alternated; then once more with ${READ_CONNECTIONS} connections of \`me\` reads running until the last login is answered.\n`);
    console.log('| server | logins/s alone | login p50 ms | login p99 ms | login errors | reads req/s during the storm | reads p50 ms | reads p99 ms |');
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const [key, label] of [['pool', 'worker pool (BCRYPT_WORKERS=2)'], ['mainThread', 'main thread (BCRYPT_WORKERS=0)']] as const) {
      const loginsPerSecond = median(alone[key].map((result) => result.loginsPerSecond));
      const p50 = median(alone[key].map((result) => result.loginP50));
      const p99 = median(alone[key].map((result) => result.loginP99));
      const errors = alone[key].reduce((sum, result) => sum + result.loginErrors, 0);
      const reads = withReads[key][0]!.reads!;
      console.log(`| ${label} | ${loginsPerSecond.toFixed(2)} | ${p50} | ${p99} | ${errors} | ${reads.requestsPerSecond.toFixed(0)} | ${reads.p50} | ${reads.p99} |`);
    }
    const throughput = median(alone.pool.map((result, index) => result.loginsPerSecond / alone.mainThread[index]!.loginsPerSecond));
    const readsP99 = withReads.pool[0]!.reads!.p99;
    console.log(`\nlogin throughput, pool / main thread: **${throughput.toFixed(2)}×** (target ≥ 1.7×); reads p99 during the storm with the pool: **${readsP99} ms** (target ≤ 50 ms)\n`);
  } finally {
    await Promise.all([servers.pool.stop(), servers.mainThread.stop()]);
  }
}
