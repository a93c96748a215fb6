import { describe, expect, it } from 'vitest';
import { errorCodes, type GraphQLResponse } from '../helpers/graphql-client';
import { useTestServer } from '../helpers/fixture';
import { LOGIN, LOGOUT_ALL, LOGOUT_DEVICE, MY_LOGINS, PASSWORD, registerUser, uniqueEmail, type AuthPayloadView } from '../helpers/operations';

const t = useTestServer();

interface Row {
  id: string;
  ip_address: string;
  user_agent: string;
  revoked_at: Date | null;
  revoked_reason: string | null;
}

describe('100 simultaneous operations of one user', () => {
  it('leave every login active or revoked with a reason, one active per device, and counts that match the rows', async () => {
    const email = uniqueEmail();
    const first = await registerUser(t.api.withHeaders({ 'user-agent': 'device-0/1' }), email);
    const tokens = [first.token];
    const loginIds = [first.login.id];
    // Some logins up front, so there is something to list and revoke from the start.
    for (let device = 1; device <= 9; device++) {
      const { login } = await t.api
        .withHeaders({ 'user-agent': `device-${device}/1` })
        .ok<{ login: AuthPayloadView }>(LOGIN, { variables: { input: { email, password: PASSWORD } } });
      tokens.push(login.token);
      loginIds.push(login.login.id);
    }

    // 100 operations, interleaved: logins from 12 devices (so some replace each other), logoutDevice
    // of known ids, logoutAll with and without keepCurrent, myLogins.
    const operations: Array<() => Promise<{ kind: string; response: GraphQLResponse }>> = [];
    for (let i = 0; i < 100; i++) {
      const token = tokens[i % tokens.length]!;
      switch (i % 5) {
        case 0:
        case 1:
          operations.push(async () => ({
            kind: 'login',
            response: await t.api
              .withHeaders({ 'user-agent': `device-${i % 12}/1` })
              .request(LOGIN, { variables: { input: { email, password: PASSWORD } } }),
          }));
          break;
        case 2:
          operations.push(async () => ({
            kind: 'logoutDevice',
            response: await t.api.withToken(token).request(LOGOUT_DEVICE, { variables: { loginId: loginIds[(i * 7) % loginIds.length] } }),
          }));
          break;
        case 3:
          operations.push(async () => ({
            kind: i % 10 === 3 ? 'logoutAll' : 'logoutAllKeep',
            response: await t.api.withToken(token).request(LOGOUT_ALL, { variables: { keepCurrent: i % 10 !== 3 } }),
          }));
          break;
        default:
          operations.push(async () => ({ kind: 'myLogins', response: await t.api.withToken(token).request(MY_LOGINS) }));
      }
    }
    const results = await Promise.all(operations.map((operation) => operation()));

    // Every answer is a success or a clean, expected refusal (a token revoked by a concurrent logout).
    for (const { response } of results) {
      expect([200, 401]).toContain(response.status);
      for (const code of errorCodes(response)) expect(code).toBe('UNAUTHENTICATED');
    }

    const rows = await t.db.query<Row>(
      'select l.id, l.ip_address, l.user_agent, l.revoked_at, l.revoked_reason from user_logins l where l.user_id = $1',
      [first.user.id],
    );
    const successful = (kind: string) => results.filter((result) => result.kind === kind && !result.response.errors);

    // Each successful login made exactly one row, and no row exists without one.
    expect(rows).toHaveLength(10 + successful('login').length);
    expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length);
    // Active or revoked with both when and why: never half of it.
    for (const row of rows) expect(row.revoked_at === null).toBe(row.revoked_reason === null);
    // At most one active login per device.
    const activeDevices = rows.filter((row) => row.revoked_at === null).map((row) => `${row.ip_address} ${row.user_agent}`);
    expect(new Set(activeDevices).size).toBe(activeDevices.length);

    // What the mutations said they did is what the rows show.
    const revokedBy = (reason: string) => rows.filter((row) => row.revoked_reason === reason).length;
    const logoutAllCount = [...successful('logoutAll'), ...successful('logoutAllKeep')].reduce(
      (sum, result) => sum + (result.response.data as { logoutAll: number }).logoutAll,
      0,
    );
    expect(revokedBy('LOGOUT_ALL')).toBe(logoutAllCount);
    expect(revokedBy('LOGOUT')).toBe(successful('logoutDevice').filter((result) => (result.response.data as { logoutDevice: boolean }).logoutDevice).length);
    expect(revokedBy('REPLACED') + revokedBy('LOGOUT') + revokedBy('LOGOUT_ALL')).toBe(rows.filter((row) => row.revoked_at !== null).length);
  });
});
