import { describe, expect, it } from 'vitest';
import { useTestServer, FIREFOX_LINUX } from '../helpers/fixture';
import { errorCodes } from '../helpers/graphql-client';
import { LOGIN_FIELDS, registerUser, type LoginView } from '../helpers/operations';
import { startTestServer } from '../helpers/test-server';

const MY_LOGINS_FIRST = `query MyLogins($first: Int!) { myLogins(includeRevoked: true, first: $first) { ${LOGIN_FIELDS} } }`;
const MY_LOGINS_ALL = `query { myLogins(includeRevoked: true) { id } }`;

/** Revoked logins of the user straight in the database, `ageDays` old. */
async function insertRevokedLogins(t: ReturnType<typeof useTestServer>, userId: string, count: number, ageDays: number) {
  const rows = await t.db.query<{ id: string }>(
    `insert into user_logins (id, user_id, ip_address, user_agent, device, created_at, last_seen_at, expires_at, revoked_at, revoked_reason)
     select gen_random_uuid(), $1, '10.0.0.1', 'old-device/' || n, 'old-device', now() - make_interval(days => $2) - make_interval(secs => n),
            now() - make_interval(days => $2), now() + interval '1 day', now() - make_interval(days => $2), 'LOGOUT'
     from generate_series(1, $3) as n returning id`,
    [userId, ageDays, count],
  );
  return rows.map((row) => row.id);
}

describe('myLogins(first:) is bounded (default 100, at most 500)', () => {
  const t = useTestServer();

  it('returns the newest 100 by default and the newest `first` when given', async () => {
    const { token, user, login } = await registerUser(t.api);
    await insertRevokedLogins(t, user.id, 150, 1);
    const api = t.api.withToken(token);

    const all = await api.ok<{ myLogins: Array<{ id: string }> }>(MY_LOGINS_ALL);
    expect(all.myLogins).toHaveLength(100);
    expect(all.myLogins[0]!.id).toBe(login.id);

    const two = await api.ok<{ myLogins: LoginView[] }>(MY_LOGINS_FIRST, { variables: { first: 2 } });
    expect(two.myLogins.map((view) => view.id)).toEqual(all.myLogins.slice(0, 2).map((view) => view.id));
    const most = await api.ok<{ myLogins: LoginView[] }>(MY_LOGINS_FIRST, { variables: { first: 500 } });
    expect(most.myLogins).toHaveLength(151);
  });

  for (const first of [0, -1, 501]) {
    it(`refuses first: ${first} with BAD_USER_INPUT`, async () => {
      const { token } = await registerUser(t.api);
      const response = await t.api.withToken(token).request(MY_LOGINS_FIRST, { variables: { first } });
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.data).toBeNull();
    });
  }
});

describe('a stored userAgent is cut to 512 characters', () => {
  const t = useTestServer();

  it('stores and lists the first 512 characters of a 12 KB User-Agent; the device label reads the whole header', async () => {
    const userAgent = `${FIREFOX_LINUX} ${'x'.repeat(12 * 1024)}`;
    const { token, login } = await registerUser(t.api.withHeaders({ 'user-agent': userAgent }));
    expect(login.userAgent).toBe(userAgent.slice(0, 512));
    expect(login.device).toMatch(/Firefox/);
    const [row] = await t.db.query<{ length: number }>('select length(user_agent) as length from user_logins where id = $1', [login.id]);
    expect(row!.length).toBe(512);
    const listed = await t.api.withToken(token).ok<{ myLogins: LoginView[] }>(MY_LOGINS_FIRST, { variables: { first: 1 } });
    expect(listed.myLogins[0]!.userAgent).toHaveLength(512);
  });
});

describe('the operation cost counts list sizes', () => {
  const t = useTestServer();

  it('refuses 5 aliases × myLogins(first: 500) before running it, naming the limit', async () => {
    const { token } = await registerUser(t.api);
    const aliases = Array.from({ length: 5 }, (_, index) => `a${index}: myLogins(includeRevoked: true, first: 500) { id }`);
    const response = await t.api.withToken(token).request(`query { ${aliases.join(' ')} }`);
    expect(response.status).toBe(400);
    expect(new Set(errorCodes(response))).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
    expect(response.errors?.map((error) => error.message)).toContainEqual(expect.stringMatching(/the sum of their `first`\), the limit is 1000/));
    expect(response.data).toBeUndefined();
  });

  it('counts a variable `first` as the largest page, and accepts lists within the limit', async () => {
    const { token } = await registerUser(t.api);
    const api = t.api.withToken(token);
    const threeVariables = `query($n: Int!) { a: myLogins(first: $n) { id } b: myLogins(first: $n) { id } c: myLogins(first: $n) { id } }`;
    const refused = await api.request(threeVariables, { variables: { n: 1 } });
    expect(refused.errors?.map((error) => error.message)).toEqual([expect.stringMatching(/up to 1500 items .* the limit is 1000/)]);
    const within = await api.request(`query { a: myLogins(first: 500) { id } b: myLogins(first: 500) { id } }`);
    expect(within.status).toBe(200);
    expect(within.errors).toBeUndefined();
  });
});

describe('HISTORY_RETENTION: revoked logins older than it are deleted', () => {
  const t = useTestServer();

  it('a starting instance deletes revoked logins past the retention (90d) and keeps newer and active ones', async () => {
    const { user, login } = await registerUser(t.api);
    const old = await insertRevokedLogins(t, user.id, 3, 91);
    const recent = await insertRevokedLogins(t, user.id, 2, 89);

    // Pruning runs at start (then hourly): a second instance on the same database does it.
    const second = await startTestServer(t.db.url);
    try {
      await expect
        .poll(async () => (await t.db.query('select id from user_logins where id = any($1::uuid[])', [old])).length)
        .toBe(0);
      const left = await t.db.query<{ id: string }>('select id from user_logins where user_id = $1', [user.id]);
      expect(new Set(left.map((row) => row.id))).toEqual(new Set([login.id, ...recent]));
    } finally {
      await second.stop();
    }
  });
});
