import { createBenchDatabase, load, median, medianOf, post, ROUNDS, row, startServer, TABLE_HEAD, type BenchDatabase, type LoadResult } from '../lib';

const CONNECTIONS = 8;
const SMALL = 1_000;
const LARGE = 1_000_000;
const USERS = 100_000;

/** Adds logins in bulk with SQL (what matters is the table the check reads, not how it got there). */
async function seed(db: BenchDatabase, logins: number, users: number, batch: string): Promise<void> {
  await db.query(
    `insert into users (id, email, password_hash, created_at)
     select gen_random_uuid(), $2 || '-' || i || '@example.com', 'x', now() from generate_series(1, $1) as i`,
    [users, batch],
  );
  await db.query(
    `insert into user_logins (id, user_id, ip_address, user_agent, device, created_at, last_seen_at, expires_at, revoked_at, revoked_reason)
     select gen_random_uuid(), u.id, '10.0.' || (i % 250) || '.' || (i % 200), 'seed-agent/' || i, 'Seeded device', now() - (i || ' s')::interval,
            now() - (i || ' s')::interval, now() + interval '30 days',
            case when i % 3 = 0 then now() end, case when i % 3 = 0 then 'LOGOUT'::revoke_reason end
     from generate_series(1, $1) as i
     join lateral (select id from users where email = $3 || '-' || (1 + i % $2) || '@example.com') u on true`,
    [logins, users, batch],
  );
  // Let PostgreSQL settle after a bulk load (statistics, visibility map, dirty pages) so the
  // measurement sees the table, not the aftermath of filling it.
  await db.query('vacuum (analyze) users');
  await db.query('vacuum (analyze) user_logins');
  await db.query('checkpoint');
}

const SESSION_CHECK = `select l.user_id, u.email, u.created_at as user_created_at, l.expires_at, l.revoked_at, l.last_seen_at
  from user_logins l join users u on u.id = l.user_id where l.id = $1`;

const QUERY_RUNS = 1_000;

/** The session check's own query, prepared, run again and again from one connection: its p50 in microseconds. */
async function queryP50(db: BenchDatabase, loginId: string): Promise<number> {
  const timings: number[] = [];
  for (let i = 0; i < QUERY_RUNS; i++) {
    const started = performance.now();
    await db.query({ name: 'bench-session-check', text: SESSION_CHECK, values: [loginId] });
    timings.push((performance.now() - started) * 1000);
  }
  return median(timings);
}

function measure(url: string, token: string): Promise<LoadResult> {
  return load(url, {
    connections: CONNECTIONS,
    headers: { authorization: `Bearer ${token}` },
    bodies: [JSON.stringify({ query: '{ me { id } }' })],
  });
}

async function registerOn(url: string): Promise<{ token: string; loginId: string }> {
  const registered = await post<{ register: { token: string; login: { id: string } } }>(
    url,
    'mutation($input: RegisterInput!) { register(input: $input) { token login { id } } }',
    { input: { email: 'scale@example.com', password: 'correct horse battery' } },
  );
  const { token, login } = registered.body.data!.register;
  return { token, loginId: login.id };
}

/**
 * Scenario 3: the per-request check with 1,000 UserLogin rows and with 1,000,000 across 100,000
 * users: two databases, a server on each, measured alternately, round by round.
 */
export async function tableScale(db: BenchDatabase): Promise<void> {
  const largeDb = await createBenchDatabase();
  const servers = { small: await startServer(db.url), large: await startServer(largeDb.url) };
  try {
    const small = await registerOn(servers.small.url);
    const large = await registerOn(servers.large.url);
    const existing = Number((await db.query('select count(*) from user_logins')).rows[0].count);
    await seed(db, SMALL - existing, 100, 'small');
    const seedStarted = performance.now();
    await seed(largeDb, LARGE - 1, USERS, 'large');
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const rows = {
      small: Number((await db.query('select count(*) from user_logins')).rows[0].count),
      large: Number((await largeDb.query('select count(*) from user_logins')).rows[0].count),
    };

    const http = { small: [] as LoadResult[], large: [] as LoadResult[] };
    const query = { small: [] as number[], large: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      http.small.push(await measure(servers.small.url, small.token));
      http.large.push(await measure(servers.large.url, large.token));
      query.small.push(await queryP50(db, small.loginId));
      query.large.push(await queryP50(largeDb, large.loginId));
    }
    const plan = await largeDb.query(`explain (analyze, buffers) ${SESSION_CHECK}`, [large.loginId]);

    console.log(`## 3. Scale of the table (\`{ me { id } }\`, ${CONNECTIONS} connections; two databases, a server on each, ${ROUNDS} rounds alternated)\n`);
    console.log(TABLE_HEAD);
    console.log(row(`${rows.small.toLocaleString('en')} logins`, medianOf(http.small)));
    console.log(row(`${rows.large.toLocaleString('en')} logins across ${USERS.toLocaleString('en')} users (seeded in ${seedSeconds.toFixed(0)} s)`, medianOf(http.large)));
    const ratio = median(http.large.map((result, index) => result.p50 / http.small[index]!.p50));
    const queryRatio = median(query.large.map((p50, index) => p50 / query.small[index]!));
    console.log(`\nHTTP p50, large / small table: **${ratio.toFixed(2)}** (target ≤ 1.2)`);
    console.log(`the session-check query alone (prepared, one connection, ${QUERY_RUNS} runs a round): p50 ${median(query.small).toFixed(0)} µs small, ${median(query.large).toFixed(0)} µs large: **${queryRatio.toFixed(2)}**\n`);
    console.log('Query plan of the session check with the large table:\n');
    console.log('```');
    for (const line of plan.rows) console.log(line['QUERY PLAN']);
    console.log('```\n');
  } finally {
    await Promise.all([servers.small.stop(), servers.large.stop()]);
    await largeDb.drop();
  }
}
