import { describe, expect, it } from 'vitest';
import { errorCodes } from '../helpers/graphql-client';
import { useTestServer } from '../helpers/fixture';
import { LOGOUT_ALL, ME, registerUser, uniqueEmail, type AuthPayloadView } from '../helpers/operations';

/**
 * Logins of requests that arrive together are read by one statement: each request must still get
 * its own user, and a revoked login among them its 401, with no answer borrowed from another.
 */
const t = useTestServer();

describe('session checks of simultaneous requests', () => {
  it('answer each request with its own user, and refuse the revoked ones, in any mix', async () => {
    const users: AuthPayloadView[] = [];
    for (let index = 0; index < 12; index++) users.push(await registerUser(t.api, uniqueEmail('batch')));
    const revoked = users.filter((_, index) => index % 3 === 0);
    for (const user of revoked) await t.api.withToken(user.token).ok(LOGOUT_ALL);

    // Each token several times over, interleaved, all in flight at once.
    const requests = Array.from({ length: 5 }, () => users).flat();
    const responses = await Promise.all(requests.map((user) => t.api.withToken(user.token).request<{ me: { id: string; email: string } }>(ME)));

    responses.forEach((response, index) => {
      const user = requests[index]!;
      if (revoked.includes(user)) {
        expect(response.status).toBe(401);
        expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
      } else {
        expect(response.status).toBe(200);
        expect(response.data?.me).toMatchObject({ id: user.user.id, email: user.user.email });
      }
    });
  });

  it('refuses a login revoked a moment earlier on the very next request, while others are checked with it', async () => {
    const victim = await registerUser(t.api, uniqueEmail('victim'));
    const bystander = await registerUser(t.api, uniqueEmail('bystander'));
    await t.api.withToken(victim.token).ok(LOGOUT_ALL);
    const [victimAnswer, bystanderAnswer] = await Promise.all([t.api.withToken(victim.token).request(ME), t.api.withToken(bystander.token).request(ME)]);
    expect(victimAnswer.status).toBe(401);
    expect(bystanderAnswer.status).toBe(200);
  });
});
