import { afterEach, describe, expect, it } from 'vitest';
import { useTestServer } from '../helpers/fixture';
import { logInUser, registerUser, uniqueEmail } from '../helpers/operations';
import { subscriptionClients } from '../helpers/subscription-client';

describe('connectionParams: the token is read from `authorization` in any letter case', () => {
  const t = useTestServer();
  const clients = subscriptionClients();
  afterEach(() => clients.closeAll(t.server));

  for (const key of ['Authorization', 'AUTHORIZATION', 'authorization']) {
    it(`accepts { ${key}: "Bearer <jwt>" } and delivers events`, async () => {
      const email = uniqueEmail();
      const { token } = await registerUser(t.api.withHeaders({ 'user-agent': 'one/1' }), email);
      const subscription = await clients.subscribe(t.server, { connectionParams: { [key]: `Bearer ${token}` } }, 1);
      const other = await logInUser(t.api.withHeaders({ 'user-agent': 'two/1' }), email);
      const [event] = await subscription.waitForEvents(1);
      expect(event).toMatchObject({ kind: 'LOGIN', login: { id: other.login.id } });
    });
  }

  it('refuses two keys that differ only in case with 4401', async () => {
    const { token } = await registerUser(t.api);
    const other = await registerUser(t.api);
    const subscription = clients.open(t.server.url, {
      connectionParams: { authorization: `Bearer ${token}`, Authorization: `Bearer ${other.token}` },
    });
    expect((await subscription.closed).code).toBe(4401);
  });
});
