import { readFileSync } from 'node:fs';
import { post, startServer, type BenchDatabase } from '../lib';

const PASSWORD = 'correct horse battery';
const REGISTER = 'mutation($input: RegisterInput!) { register(input: $input) { token user { id } } }';
const LOGINS_IN_HISTORY = 1000;
const PARALLEL_REQUESTS = 24;
const LONG_USER_AGENT = `Mozilla/5.0 ${'x'.repeat(12 * 1024)}`;

const peakRssMiB = (pid: number | undefined) =>
  Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/**
 * Issue 12 item 4: the peak RSS of the server answering the largest `myLogins` a client may ask for
 * (the list-size cost allows 2 × first 500; 5 × 500 is refused), 24 at once, over a history of
 * 512-character user agents (what is stored of a 12 KB header).
 */
export async function historySize(db: BenchDatabase): Promise<void> {
  const server = await startServer(db.url);
  try {
    const registered = await post<{ register: { token: string; user: { id: string } } }>(
      server.url,
      REGISTER,
      { input: { email: `history-${Date.now()}@example.com`, password: PASSWORD } },
      { 'user-agent': LONG_USER_AGENT },
    );
    const { token, user } = registered.body.data!.register;
    await db.query(
      `insert into user_logins (id, user_id, ip_address, user_agent, device, created_at, last_seen_at, expires_at, revoked_at, revoked_reason)
       select gen_random_uuid(), $1, '10.0.0.1', left($2 || n, 512), 'Other', now() - make_interval(secs => n), now(), now() + interval '1 day', now(), 'REPLACED'
       from generate_series(1, $3) as n`,
      [user.id, LONG_USER_AGENT, LOGINS_IN_HISTORY],
    );
    // The most armor's field cost (5000) lets through beside the list-size cost: the heavy field, twice.
    const fields = 'id userAgent';
    const largest = `query { a: myLogins(includeRevoked: true, first: 500) { ${fields} } b: myLogins(includeRevoked: true, first: 500) { ${fields} } }`;
    const refused = `query { ${[0, 1, 2, 3, 4].map((index) => `a${index}: myLogins(includeRevoked: true, first: 500) { ${fields} }`).join(' ')} }`;
    const headers = { authorization: `Bearer ${token}` };

    const before = peakRssMiB(server.child.pid);
    const five = await post(server.url, refused, {}, headers);
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: PARALLEL_REQUESTS }, () =>
        fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: largest }) }).then(
          async (response) => ({ status: response.status, bytes: (await response.arrayBuffer()).byteLength }),
        ),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const after = peakRssMiB(server.child.pid);
    const failed = answers.find((answer) => answer.status !== 200);
    if (failed) console.log(`not all answered 200: HTTP ${failed.status} ${JSON.stringify((await post(server.url, largest, {}, headers)).body.errors)}`);
    console.log(`## Largest myLogins a client may ask for (${LOGINS_IN_HISTORY} logins in history, 512-character user agents)\n`);
    console.log(`5 aliases × first 500: HTTP ${five.status} ${five.body.errors?.[0]?.extensions?.code ?? ''}`);
    console.log(`2 aliases × first 500, ${PARALLEL_REQUESTS} at once: ${answers.filter((answer) => answer.status === 200).length} × 200, ${(answers[0]!.bytes / 1024).toFixed(0)} KB each, ${seconds.toFixed(2)} s in all`);
    console.log(`\npeak server RSS: **${after.toFixed(0)} MiB** (${before.toFixed(0)} MiB before these requests)\n`);
  } finally {
    await server.stop();
  }
}
