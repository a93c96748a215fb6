import { load, median, medianOf, post, ROUNDS, row, startServer, TABLE_HEAD, type BenchDatabase, type LoadResult } from '../lib';

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

/** The session check's own query, prepared, 2,000 times in a row from one connection: its p50 in microseconds. */
async function queryP50(db: BenchDatabase, loginId: string): Promise<number> {
  const timings: number[] = [];
  for (let i = 0; i < 2_000; i++) {
    const started = performance.now();
    await db.query({ name: 'bench-session-check', text: SESSION_CHECK, values: [loginId] });
    timings.push((performance.now() - started) * 1000);
  }
  return median(timings);
}

async function measure(url: string, token: string): Promise<LoadResult[]> {
  const results: LoadResult[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    results.push(
      await load(url, {
        connections: CONNECTIONS,
        headers: { authorization: `Bearer ${token}` },
        bodies: [JSON.stringify({ query: '{ me { id } }' })],
      }),
    );
  }
  return results;
}

/** Scenario 3: the per-request check with 1,000 UserLogin rows, then with 1,000,000 across 100,000 users. */
export async function tableScale(db: BenchDatabase): Promise<void> {
  const server = await startServer(db.url);
  try {
    const registered = await post<{ register: { token: string; login: { id: string } } }>(
      server.url,
      'mutation($input: RegisterInput!) { register(input: $input) { token login { id } } }',
      { input: { email: 'scale@example.com', password: 'correct horse battery' } },
    );
    const { token, login } = registered.body.data!.register;
    const existing = Number((await db.query('select count(*) from user_logins')).rows[0].count);
    await seed(db, SMALL - existing, 100, 'small');
    const small = await measure(server.url, token);
    const smallQuery = await queryP50(db, login.id);

    const seedStarted = performance.now();
    await seed(db, LARGE - SMALL, USERS, 'large');
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const large = await measure(server.url, token);
    const largeQuery = await queryP50(db, login.id);
    const rows = Number((await db.query('select count(*) from user_logins')).rows[0].count);

    const plan = await db.query(`explain (analyze, buffers) ${SESSION_CHECK}`, [login.id]);

    console.log(`## 3. Scale of the table (\`{ me { id } }\`, ${CONNECTIONS} connections, ${ROUNDS} rounds)\n`);
    console.log(TABLE_HEAD);
    console.log(row(`${SMALL.toLocaleString('en')} logins`, medianOf(small)));
    console.log(row(`${rows.toLocaleString('en')} logins across ${USERS.toLocaleString('en')} users (seeded in ${seedSeconds.toFixed(0)} s)`, medianOf(large)));
    const ratio = median(large.map((result) => result.p50)) / median(small.map((result) => result.p50));
    console.log(`\nHTTP p50 with ${rows.toLocaleString('en')} rows / p50 with ${SMALL.toLocaleString('en')}: **${ratio.toFixed(2)}** (target ≤ 1.2)`);
    console.log(`the session-check query alone (prepared, one connection, 2,000 runs): p50 ${smallQuery.toFixed(0)} µs with ${SMALL.toLocaleString('en')} rows, ${largeQuery.toFixed(0)} µs with ${rows.toLocaleString('en')}: **${(largeQuery / smallQuery).toFixed(2)}**\n`);
    console.log('Query plan of the session check with the large table:\n');
    console.log('```');
    for (const line of plan.rows) console.log(line['QUERY PLAN']);
    console.log('```\n');
  } finally {
    await server.stop();
  }
}
