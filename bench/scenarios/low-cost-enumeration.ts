import bcrypt from 'bcryptjs';
import { median, post, startServer, type BenchDatabase } from '../lib';

const LOGIN = 'mutation($input: LoginInput!) { login(input: $input) { token } }';
const ATTEMPTS = 10;

/** How long one failed login takes, in ms. */
async function timedFailure(url: string, email: string): Promise<number> {
  const started = performance.now();
  const response = await post(url, LOGIN, { input: { email, password: 'a wrong password' } });
  const elapsed = performance.now() - started;
  if (response.body.errors?.[0]?.extensions?.code !== 'UNAUTHENTICATED') throw new Error(`expected UNAUTHENTICATED, got ${JSON.stringify(response.body)}`);
  return elapsed;
}

/**
 * Scenario "enumeration": an account whose hash was made at cost 4 (before BCRYPT_COST was raised to
 * 12) answers a wrong password as slowly as an unknown email answers, so its time does not tell
 * that it exists. Alternated, medians of ATTEMPTS each.
 */
export async function lowCostEnumeration(db: BenchDatabase): Promise<void> {
  // Every attempt fails, from one IP: the failure limits are raised so that none is refused.
  const server = await startServer(db.url, { RATE_LIMIT_LOGIN_FAILURES_PER_EMAIL_IP: '1000', RATE_LIMIT_LOGIN_FAILURES_PER_IP: '1000' });
  try {
    const email = 'low-cost@example.com';
    await db.query(`insert into users (id, email, password_hash, created_at) values (gen_random_uuid(), $1, $2, now()) on conflict do nothing`, [
      email,
      bcrypt.hashSync('correct horse battery', 4),
    ]);
    const wrongPassword: number[] = [];
    const unknownEmail: number[] = [];
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      wrongPassword.push(await timedFailure(server.url, email));
      unknownEmail.push(await timedFailure(server.url, `nobody-${attempt}@example.com`));
    }
    const wrong = median(wrongPassword);
    const unknown = median(unknownEmail);
    console.log('## Enumeration after a cost change (an account hashed at cost 4 on a BCRYPT_COST=12 server)\n');
    console.log('| login | median ms |');
    console.log('| --- | --- |');
    console.log(`| wrong password, cost-4 account | ${wrong.toFixed(0)} |`);
    console.log(`| unknown email | ${unknown.toFixed(0)} |`);
    console.log(`\nwrong password / unknown email: **${(wrong / unknown).toFixed(2)}** (target ≥ 0.9; 0.04 when a low-cost hash was compared alone)\n`);
  } finally {
    await server.stop();
  }
}
