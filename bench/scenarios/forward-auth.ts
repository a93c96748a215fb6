import { load, medianOf, post, row, ROUNDS, startServer, TABLE_HEAD, type BenchDatabase, type LoadResult } from '../lib';

const CONNECTIONS = 32;

/**
 * Forward auth: GET /auth/session (what nginx `auth_request` asks before every request of another
 * service) beside the GraphQL `{ me { id } }`, both running the same session check on one login.
 */
export async function forwardAuth(db: BenchDatabase): Promise<void> {
  const server = await startServer(db.url);
  try {
    const registered = await post<{ register: { token: string } }>(
      server.url,
      'mutation($input: RegisterInput!) { register(input: $input) { token } }',
      { input: { email: 'forward-auth@example.com', password: 'correct horse battery' } },
    );
    const headers = { authorization: `Bearer ${registered.body.data!.register.token}` };
    const sessionUrl = new URL('/auth/session', server.url).href;
    const me: LoadResult[] = [];
    const check: LoadResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      me.push(await load(server.url, { connections: CONNECTIONS, headers, bodies: [JSON.stringify({ query: '{ me { id } }' })] }));
      check.push(await load(sessionUrl, { connections: CONNECTIONS, headers, method: 'GET', bodies: [] }));
    }
    const ratios = me.map((result, index) => check[index]!.requestsPerSecond / result.requestsPerSecond).sort((a, b) => a - b);
    const forward = medianOf(check);
    console.log(`## Forward auth (${CONNECTIONS} connections)\n`);
    console.log(TABLE_HEAD);
    console.log(row('GraphQL `{ me { id } }`', medianOf(me)));
    console.log(row('GET /auth/session', forward));
    console.log(
      `\nratio /auth/session / me req/s: **${ratios[Math.floor(ratios.length / 2)]!.toFixed(2)}** (per round: ${ratios.map((ratio) => ratio.toFixed(2)).join(', ')}); /auth/session p99 ${forward.p99} ms; errors ${forward.errors}\n`,
    );
  } finally {
    await server.stop();
  }
}
