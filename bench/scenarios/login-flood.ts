import http from 'node:http';
import bcrypt from 'bcryptjs';
import { median, post, startServer, type BenchDatabase } from '../lib';

const PASSWORD = 'correct horse battery';
const LOGIN = 'mutation($input: LoginInput!) { login(input: $input) { token } }';
const BYSTANDER_LOGINS = 20;
const FLOOD_IN_FLIGHT = 45;
/** The flood connects from another loopback address, so the server sees it as another client IP. */
const FLOOD_ADDRESS = '127.0.0.2';

/** One login from a chosen local address (fetch cannot choose it); resolves with the status and Retry-After. */
function logInFrom(url: string, localAddress: string, email: string): Promise<{ status: number; retryAfter: number }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, localAddress, agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, retryAfter: Number(response.headers['retry-after'] ?? 0) }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(JSON.stringify({ query: LOGIN, variables: { input: { email, password: PASSWORD } } }));
  });
}

/** The bystander's logins one after another from 127.0.0.1: their latencies, and how many failed. */
async function bystanderLogins(url: string, email: string) {
  const latencies: number[] = [];
  let failures = 0;
  for (let login = 0; login < BYSTANDER_LOGINS; login++) {
    const started = performance.now();
    const response = await post(url, LOGIN, { input: { email, password: PASSWORD } });
    latencies.push(performance.now() - started);
    if (response.status !== 200 || response.body.errors) failures += 1;
  }
  latencies.sort((a, b) => a - b);
  return { p50: Math.round(median(latencies)), p99: Math.round(latencies[Math.ceil(latencies.length * 0.99) - 1]!), failures };
}

/**
 * FLOOD_IN_FLIGHT clients from one IP, each logging in again as soon as answered (or, `politely`,
 * after the Retry-After of a 503), until `until` settles.
 */
function flood(url: string, emailOf: (client: number) => string, politely: boolean, until: Promise<unknown>) {
  let stopped = false;
  void until.finally(() => (stopped = true));
  const statuses = new Map<number, number>();
  const clients = Array.from({ length: FLOOD_IN_FLIGHT }, async (_, client) => {
    while (!stopped) {
      const { status, retryAfter } = await logInFrom(url, FLOOD_ADDRESS, emailOf(client));
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (politely && status === 503) await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    }
  });
  return Promise.all(clients).then(() => statuses);
}

/**
 * Scenario "flood": a bystander's login latency while one client IP keeps 45 correct-password
 * logins in flight (one account, then 5 accounts × 9), at bcrypt cost 12 with the default
 * bcrypt queue (8 per worker, a quarter per IP, 2 per account).
 */
export async function loginFlood(db: BenchDatabase): Promise<void> {
  const server = await startServer(db.url);
  try {
    const hash = bcrypt.hashSync(PASSWORD, 12);
    const flooders = Array.from({ length: 5 }, (_, i) => `flood-${i}@example.com`);
    const bystander = 'bystander@example.com';
    await db.query(
      `insert into users (id, email, password_hash, created_at) select gen_random_uuid(), e, $2, now() from unnest($1::text[]) as e on conflict do nothing`,
      [[...flooders, bystander], hash],
    );

    const idle = await bystanderLogins(server.url, bystander);
    const oneAccount = () => flooders[0]!;
    const fiveAccounts = (client: number) => flooders[client % flooders.length]!;
    // A client that honours Retry-After shows the queue's shares alone; one that re-sends at once adds
    // a flood of refused requests, which costs the server CPU time (a proxy's request rate limit's job).
    const loads = [
      ['one account, honouring Retry-After', oneAccount, true],
      ['5 accounts × 9, honouring Retry-After', fiveAccounts, true],
      ['one account, re-sending at once', oneAccount, false],
      ['5 accounts × 9, re-sending at once', fiveAccounts, false],
    ] as const;
    console.log(`## Login flood (${FLOOD_IN_FLIGHT} correct logins in flight from one IP, bcrypt cost 12, default bcrypt queue)\n`);
    console.log(`${BYSTANDER_LOGINS} logins of a bystander from another IP, one after another.\n`);
    console.log('| load | bystander login p50 ms | bystander login p99 ms | bystander failures | flood answers |');
    console.log('| --- | --- | --- | --- | --- |');
    console.log(`| idle | ${idle.p50} | ${idle.p99} | ${idle.failures} | |`);
    for (const [label, emailOf, politely] of loads) {
      let finished!: () => void;
      const bystanderDone = new Promise<void>((resolve) => (finished = resolve));
      const flooding = flood(server.url, emailOf, politely, bystanderDone);
      const during = await bystanderLogins(server.url, bystander);
      finished();
      const statuses = [...(await flooding)].map(([status, count]) => `${count} × ${status}`).join(', ');
      console.log(`| flood: ${label} | ${during.p50} | ${during.p99} | ${during.failures} | ${statuses} |`);
    }
    console.log('');
  } finally {
    await server.stop();
  }
}
