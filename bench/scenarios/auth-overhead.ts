import { load, medianOf, post, row, ROUNDS, startServer, TABLE_HEAD, type BenchDatabase, type LoadResult } from '../lib';

const CONNECTIONS = 32;

/** Scenario 1: the session check on every request vs a request with no auth at all. */
export async function authOverhead(db: BenchDatabase): Promise<void> {
  const server = await startServer(db.url);
  try {
    const registered = await post<{ register: { token: string } }>(
      server.url,
      'mutation($input: RegisterInput!) { register(input: $input) { token } }',
      { input: { email: 'overhead@example.com', password: 'correct horse battery' } },
    );
    const token = registered.body.data!.register.token;
    const anonymous: LoadResult[] = [];
    const authenticated: LoadResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      anonymous.push(await load(server.url, { connections: CONNECTIONS, bodies: [JSON.stringify({ query: '{ __typename }' })] }));
      authenticated.push(
        await load(server.url, {
          connections: CONNECTIONS,
          headers: { authorization: `Bearer ${token}` },
          bodies: [JSON.stringify({ query: '{ me { id } }' })],
        }),
      );
    }
    const ratios = anonymous.map((result, index) => authenticated[index]!.requestsPerSecond / result.requestsPerSecond);
    const auth = medianOf(authenticated);
    console.log(`## 1. Auth overhead (${CONNECTIONS} connections)\n`);
    console.log(TABLE_HEAD);
    console.log(row('anonymous `{ __typename }`', medianOf(anonymous)));
    console.log(row('authenticated `{ me { id } }`', auth));
    const ratio = ratios.sort((a, b) => a - b)[Math.floor(ratios.length / 2)]!;
    console.log(`\nratio authenticated / anonymous req/s: **${ratio.toFixed(2)}** (target ≥ 0.85); authenticated p99 ${auth.p99} ms (target ≤ 5 ms); errors ${auth.errors}\n`);
  } finally {
    await server.stop();
  }
}
