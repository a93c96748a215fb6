import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { useTestServer } from '../helpers/fixture';
import { logInUser, registerUser, uniqueEmail } from '../helpers/operations';
import { subscriptionClients, wsUrlOf } from '../helpers/subscription-client';

interface SignedInSocket {
  socket: WebSocket;
  closed: Promise<{ code: number; reason: string }>;
  /** A refused subscribe of the flood: a query, which is served over HTTP only. */
  sendRefusedSubscribe(id: number): void;
}

async function signedInSocket(httpUrl: string, token: string): Promise<SignedInSocket> {
  const socket = new WebSocket(wsUrlOf(httpUrl), 'graphql-transport-ws');
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('open', resolve));
  const acked = new Promise<void>((resolve) =>
    socket.on('message', (data) => {
      if ((JSON.parse(data.toString()) as { type: string }).type === 'connection_ack') resolve();
    }),
  );
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  await acked;
  return {
    socket,
    closed,
    sendRefusedSubscribe(id) {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ id: String(id), type: 'subscribe', payload: { query: '{ me { id } }' } }));
    },
  };
}

describe('WebSocket messages are metered per socket', () => {
  const t = useTestServer();
  const clients = subscriptionClients();
  afterEach(() => clients.closeAll(t.server));

  it('closes a signed-in socket that floods refused subscribes with 4429; another user’s socket is unaffected', async () => {
    const bystanderEmail = uniqueEmail();
    const bystander = await registerUser(t.api.withHeaders({ 'user-agent': 'bystander/1' }), bystanderEmail);
    const bystanderSubscription = await clients.subscribe(t.server, { token: bystander.token }, 1);

    const flooder = await registerUser(t.api);
    const flooding = await signedInSocket(t.server.url, flooder.token);
    for (let id = 0; id < 1_000; id++) flooding.sendRefusedSubscribe(id);
    expect(await flooding.closed).toEqual({ code: 4429, reason: 'Too many messages' });

    const next = await logInUser(t.api.withHeaders({ 'user-agent': 'bystander/2' }), bystanderEmail);
    const [event] = await bystanderSubscription.waitForEvents(1);
    expect(event).toMatchObject({ kind: 'LOGIN', login: { id: next.login.id } });
    expect(bystanderSubscription.isClosed).toBe(false);
  });
});

describe('and per user, across their sockets', () => {
  // Each socket may send 40 at once, the user 60 in all (refilled at 1 a second: no refill to speak of).
  const t = useTestServer({
    SUBSCRIPTION_MESSAGE_RATE: '1',
    SUBSCRIPTION_MESSAGE_BURST: '40',
    SUBSCRIPTION_USER_MESSAGE_RATE: '1',
    SUBSCRIPTION_USER_MESSAGE_BURST: '60',
  });

  it('closes with 4429 once the user’s sockets together pass the user’s rate, each under its own', async () => {
    const email = uniqueEmail();
    const first = await registerUser(t.api.withHeaders({ 'user-agent': 'one/1' }), email);
    const second = await logInUser(t.api.withHeaders({ 'user-agent': 'two/1' }), email);
    const sockets = [await signedInSocket(t.server.url, first.token), await signedInSocket(t.server.url, second.token)];
    // 30 + 30 messages stay within the user's 60 (connection_init counted only per socket); 31 + 31 do not.
    for (const socket of sockets) for (let id = 0; id < 31; id++) socket.sendRefusedSubscribe(id);
    const closes = await Promise.race(sockets.map((socket) => socket.closed));
    expect(closes).toEqual({ code: 4429, reason: 'Too many messages' });
    for (const socket of sockets) socket.socket.close();
  });
});
