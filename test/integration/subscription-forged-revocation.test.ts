import { afterEach, describe, expect, it } from 'vitest';
import { useTestServer } from '../helpers/fixture';
import { logInUser, registerUser, uniqueEmail } from '../helpers/operations';
import { subscriptionClients } from '../helpers/subscription-client';

describe('a REVOKED notice closes a socket only when the database says its login ended', () => {
  const t = useTestServer();
  const clients = subscriptionClients();
  afterEach(() => clients.closeAll(t.server));

  it('ignores a forged pg_notify REVOKED for a live login: the socket stays open and gets the next LOGIN', async () => {
    const email = uniqueEmail();
    const { token, user, login } = await registerUser(t.api.withHeaders({ 'user-agent': 'victim/1' }), email);
    const subscription = await clients.subscribe(t.server, { token }, 1);

    const forged = JSON.stringify({ v: 1, kind: 'REVOKED', userId: user.id, loginIds: [login.id] });
    await t.db.query(`select pg_notify('login_activity', $1)`, [forged]);

    // Notices of one user are handled in order: the forged one first, then this real LOGIN.
    const other = await logInUser(t.api.withHeaders({ 'user-agent': 'second/1' }), email);
    const events = await subscription.waitForEvents(1);
    expect(events.map((event) => [event.kind, event.login.id])).toEqual([['LOGIN', other.login.id]]);
    expect(subscription.isClosed).toBe(false);
    expect(t.server.liveStatus().subscriptions).toBe(1);
  });

  it('lets the same login connect again right after a forged REVOKED for it (the database is asked again)', async () => {
    const email = uniqueEmail();
    const { token, user, login } = await registerUser(t.api.withHeaders({ 'user-agent': 'victim/1' }), email);
    const watcher = await clients.subscribe(t.server, { token }, 1);

    const forged = JSON.stringify({ v: 1, kind: 'REVOKED', userId: user.id, loginIds: [login.id] });
    await t.db.query(`select pg_notify('login_activity', $1)`, [forged]);
    // The forged notice has been handled once a later real one has reached the open socket.
    const second = await logInUser(t.api.withHeaders({ 'user-agent': 'second/1' }), email);
    await watcher.waitForEvents(1);

    const reconnected = await clients.subscribe(t.server, { token }, 2);
    const third = await logInUser(t.api.withHeaders({ 'user-agent': 'third/1' }), email);
    const [event] = await reconnected.waitForEvents(1);
    expect(event).toMatchObject({ kind: 'LOGIN', login: { id: third.login.id } });
    expect(second.login.id).not.toBe(third.login.id);
    expect(reconnected.isClosed).toBe(false);
  });
});
