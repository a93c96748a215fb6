import type { FormattedExecutionResult } from 'graphql';
import { createClient } from 'graphql-ws';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { useTestServer, useTestServerOn } from '../helpers/fixture';
import { GraphQLClient, errorCodes } from '../helpers/graphql-client';
import { logInUser, registerUser, uniqueEmail } from '../helpers/operations';
import {
  LOGIN_ACTIVITY,
  activitySettled,
  subscriptionClients,
  waitForSubscriptions,
  wsUrlOf,
} from '../helpers/subscription-client';
import { startTestServer } from '../helpers/test-server';

/** A bare WebSocket speaking graphql-transport-ws, for what graphql-ws's client would never send. */
function rawSocket(httpUrl: string): Promise<WebSocket> {
  const socket = new WebSocket(wsUrlOf(httpUrl), 'graphql-transport-ws');
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

function closeOf(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

interface Message {
  type: string;
  id?: string;
  payload?: unknown;
}

function messagesOf(socket: WebSocket): Message[] {
  const messages: Message[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(data.toString())));
  return messages;
}

/** connection_init, then the acknowledgement the protocol says to wait for before subscribing. */
async function signedInSocket(httpUrl: string, token: string): Promise<{ socket: WebSocket; messages: Message[] }> {
  const socket = await rawSocket(httpUrl);
  const messages = messagesOf(socket);
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  await expect.poll(() => messages.map((message) => message.type)).toEqual(['connection_ack']);
  return { socket, messages };
}

/** The per-user cap's server; the other configurations run on its database. */
const capped = useTestServer({ MAX_SUBSCRIPTIONS_PER_USER: '2' });

describe('the per-user cap (MAX_SUBSCRIPTIONS_PER_USER=2)', () => {
  const t = capped;
  const clients = subscriptionClients();
  afterEach(() => clients.closeAll(t.server));

  it('closes a third connection of the same user with 4429; another user still connects', async () => {
    const email = uniqueEmail();
    const first = await registerUser(t.api.withHeaders({ 'user-agent': 'one/1' }), email);
    const second = await logInUser(t.api.withHeaders({ 'user-agent': 'two/1' }), email);
    await clients.subscribe(t.server, { token: first.token }, 1);
    await clients.subscribe(t.server, { token: second.token }, 2);

    const third = clients.open(t.server.url, { token: first.token });
    expect(await third.closed).toMatchObject({ code: 4429, reason: 'Too many subscriptions' });

    const other = await registerUser(t.api);
    await clients.subscribe(t.server, { token: other.token }, 3);
  });

  it('refuses a third subscription on one socket with TOO_MANY_REQUESTS; the socket and the others carry on', async () => {
    const email = uniqueEmail();
    const { token } = await registerUser(t.api.withHeaders({ 'user-agent': 'one/1' }), email);
    await activitySettled(t.server);
    const client = createClient({
      url: wsUrlOf(t.server.url),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    try {
      const results: Array<Array<FormattedExecutionResult<Record<string, unknown>, unknown>>> = [[], [], []];
      const subscribe = (index: number) =>
        client.subscribe({ query: LOGIN_ACTIVITY }, { next: (result) => results[index]!.push(result), error: () => {}, complete: () => {} });
      subscribe(0);
      subscribe(1);
      await waitForSubscriptions(t.server, 2);
      subscribe(2);
      await expect.poll(() => results[2]!.length).toBe(1);
      expect(results[2]![0]!.errors).toEqual([
        expect.objectContaining({ extensions: { code: 'TOO_MANY_REQUESTS', limit: 2 }, path: ['loginActivity'] }),
      ]);

      const phone = await logInUser(t.api.withHeaders({ 'user-agent': 'two/1' }), email);
      await expect.poll(() => results[0]!.length + results[1]!.length).toBe(2);
      for (const result of [results[0]![0]!, results[1]![0]!]) {
        expect(result.data).toMatchObject({ loginActivity: { kind: 'LOGIN', login: { id: phone.login.id } } });
      }
      expect(t.server.liveStatus()).toMatchObject({ connections: 1, subscriptions: 2 });
    } finally {
      await client.dispose();
    }
  });
});

describe('WebSocket limits (SUBSCRIPTION_INIT_TIMEOUT=1s, SUBSCRIPTION_MAX_MESSAGE_BYTES at its 64 KiB default)', () => {
  const t = useTestServerOn(capped, { SUBSCRIPTION_INIT_TIMEOUT: '1s' });
  const clients = subscriptionClients();
  afterEach(() => clients.closeAll(t.server));

  it('closes a socket that sends no connection_init in time with 4408', async () => {
    const socket = await rawSocket(t.server.url);
    const opened = performance.now();
    const closed = await closeOf(socket);
    expect(closed).toEqual({ code: 4408, reason: 'Connection initialisation timeout' });
    expect(performance.now() - opened).toBeGreaterThan(900);
  });

  it('closes a socket that sends a message over 64 KiB with 1009, before reading it', async () => {
    const { token } = await registerUser(t.api);
    const { socket } = await signedInSocket(t.server.url, token);
    const closed = closeOf(socket);
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `${LOGIN_ACTIVITY}#${'x'.repeat(64 * 1024)}` } }));
    expect((await closed).code).toBe(1009);
  });

  it('serves only subscriptions: a query or a mutation gets BAD_REQUEST, and the socket stays open', async () => {
    const { token } = await registerUser(t.api);
    const subscription = await clients.subscribe(t.server, { token }, 1);
    const { socket, messages } = await signedInSocket(t.server.url, token);
    socket.send(JSON.stringify({ id: 'q', type: 'subscribe', payload: { query: '{ me { id } }' } }));
    socket.send(JSON.stringify({ id: 'm', type: 'subscribe', payload: { query: 'mutation { logout }' } }));
    await expect.poll(() => messages.length).toBe(3);
    for (const id of ['q', 'm']) {
      expect(messages.find((message) => message.id === id)).toEqual({
        id,
        type: 'error',
        payload: [expect.objectContaining({ extensions: { code: 'BAD_REQUEST' }, message: expect.stringMatching(/WebSocket/) })],
      });
    }
    expect(socket.readyState).toBe(WebSocket.OPEN);
    socket.close();
    expect(subscription.isClosed).toBe(false);
  });

  it('applies the HTTP operation limits (aliases, tokens) and reports parse and validation errors as HTTP does', async () => {
    const { token } = await registerUser(t.api);
    const { socket, messages } = await signedInSocket(t.server.url, token);
    const operations: Record<string, string> = {
      aliases: `subscription { loginActivity { login { ${Array.from({ length: 6 }, (_, index) => `a${index}: id`).join(' ')} } } }`,
      tokens: `subscription { loginActivity { kind ${'__typename '.repeat(1000)}} }`,
      unparsable: 'subscription { loginActivity {',
      unknownField: 'subscription { loginActivity { nope } }',
    };
    for (const [id, query] of Object.entries(operations)) socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query } }));
    await expect.poll(() => messages.length).toBe(1 + Object.keys(operations).length);
    const codeOf = (id: string) => {
      const message = messages.find((candidate) => candidate.id === id);
      expect(message?.type).toBe('error');
      return (message!.payload as Array<{ extensions: { code: string } }>).map((error) => error.extensions.code);
    };
    expect(codeOf('aliases')).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(codeOf('tokens')).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(codeOf('unparsable')).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(codeOf('unknownField')).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    socket.close();
  });

  it('answers a subscription sent over HTTP with a 400 that says where subscriptions are', async () => {
    const { token } = await registerUser(t.api);
    const response = await t.api.withToken(token).request(LOGIN_ACTIVITY);
    expect(response.status).toBe(400);
    expect(errorCodes(response)).toEqual(['BAD_REQUEST']);
    expect(response.errors?.[0]?.message).toMatch(/WebSocket/);
  });
});

describe('shutdown', () => {
  const teardown: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const step of teardown.reverse()) await step();
  });

  it('closes every subscription socket with 1001; stop() is safe to call twice', async () => {
    const server = await startTestServer(capped.db.url);
    teardown.push(() => server.stop());
    const clients = subscriptionClients();
    const { token } = await registerUser(new GraphQLClient(server.url));
    const subscriptions = [await clients.subscribe(server, { token }, 1), await clients.subscribe(server, { token }, 2)];

    await Promise.all([server.stop(), server.stop()]);
    for (const subscription of subscriptions) expect(await subscription.closed).toMatchObject({ code: 1001 });
    await server.stop();
    await expect(fetch(server.url)).rejects.toThrow();
  });
});
