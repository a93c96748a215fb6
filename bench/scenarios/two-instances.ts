import { post, startServer, type BenchDatabase } from '../lib';

/** Scenario 4: revoke on instance A, and the very next request with that token on instance B. */
export async function twoInstances(db: BenchDatabase): Promise<void> {
  const [a, b] = await Promise.all([startServer(db.url), startServer(db.url)]);
  try {
    const register = 'mutation($input: RegisterInput!) { register(input: $input) { token login { id } } }';
    const login = 'mutation($input: LoginInput!) { login(input: $input) { token login { id } } }';
    const input = { email: 'two-instances@example.com', password: 'correct horse battery' };
    const onA = await post<{ register: { token: string } }>(a.url, register, { input });
    const onB = await post<{ login: { token: string; login: { id: string } } }>(b.url, login, { input }, { 'user-agent': 'other-device/1' });
    const tokenA = onA.body.data!.register.token;
    const { token: tokenB, login: loginB } = onB.body.data!.login;

    const before = await post(b.url, '{ me { id } }', {}, { authorization: `Bearer ${tokenB}` });
    const revokedAt = performance.now();
    await post(a.url, 'mutation($id: ID!) { logoutDevice(loginId: $id) }', { id: loginB.id }, { authorization: `Bearer ${tokenA}` });
    const after = await post(b.url, '{ me { id } }', {}, { authorization: `Bearer ${tokenB}` });
    const elapsed = performance.now() - revokedAt;

    console.log('## 4. Two instances on one database\n');
    console.log(`B before the revocation: HTTP ${before.status}; logoutDevice on A, then the next request on B: **HTTP ${after.status}** ${after.body.errors?.[0]?.extensions?.code ?? ''} (${elapsed.toFixed(1)} ms for both requests)\n`);
    if (after.status !== 401) throw new Error('instance B accepted a token revoked on instance A');
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}
