import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/app';
import { GraphQLClient } from '../helpers/graphql-client';
import { ME, registerUser } from '../helpers/operations';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { startTestServer } from '../helpers/test-server';

/** Issue 17: a shutdown that loses nothing behind a load balancer. */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

interface Answer {
  status: number;
  connection: string | undefined;
  socketPort: number | undefined;
}

/** POST /graphql on `agent`'s connection (one, kept alive): which local port it went out on says whether it was reused. */
function post(url: string, agent: http.Agent, token: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } },
      (response) => {
        response.resume();
        response.once('end', () => resolve({ status: response.statusCode ?? 0, connection: response.headers.connection, socketPort: request.socket?.localPort }));
      },
    );
    request.once('error', reject);
    request.end(JSON.stringify({ query: ME }));
  });
}

/** Whether a new TCP connection to the server is refused (one that is accepted is closed at once). */
function refusesConnections(url: URL): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('stopping', () => {
  it('says 503 "stopping" at /healthz first, for SHUTDOWN_DELAY, while it still serves everything else', async () => {
    const server: RunningServer = await startTestServer(db.url, { SHUTDOWN_DELAY: '2s' });
    const api = new GraphQLClient(server.url);
    const alice = await registerUser(api);
    const health = new URL('/healthz', server.url);
    expect((await fetch(health)).status).toBe(200);

    const stopped = server.stop();
    const during = await fetch(health);
    expect({ status: during.status, body: await during.json() }).toEqual({ status: 503, body: { status: 'stopping', events: 'listening' } });
    expect(await api.withToken(alice.token).ok(ME)).toEqual({ me: alice.user });
    await stopped;
    await expect(fetch(health)).rejects.toThrow();
  });

  it('answers a request sent on an idle keep-alive connection after the stop began, with Connection: close, instead of cutting it', async () => {
    // Node's default keep-alive timeout, as in production (the test helper shortens it).
    const server = await startTestServer(db.url, { HTTP_KEEP_ALIVE_TIMEOUT: '5s' });
    const alice = await registerUser(new GraphQLClient(server.url));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const before = await post(server.url, agent, alice.token);
      expect(before).toMatchObject({ status: 200, connection: 'keep-alive' });

      // The connection is idle now, as a proxy's pooled connection to an instance is when it is told to stop.
      const stopped = server.stop();
      // The drain has begun once new connections are refused (the steps of a stop before it take a while).
      await expect.poll(() => refusesConnections(new URL(server.url)), { timeout: 10_000, interval: 20 }).toBe(true);
      const after = await post(server.url, agent, alice.token);
      // The same connection: the server left it open, answered, and told the client to close it.
      expect(after).toEqual({ status: 200, connection: 'close', socketPort: before.socketPort });
      await stopped;
      // No new connection is taken.
      await expect(post(server.url, agent, alice.token)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      agent.destroy();
      await server.stop();
    }
  });
});
