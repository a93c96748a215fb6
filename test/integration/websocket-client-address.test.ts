import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RunningServer } from '../../src/app';
import { capturedLogs } from '../helpers/captured-logs';
import { GraphQLClient } from '../helpers/graphql-client';
import { registerUser } from '../helpers/operations';
import { LOGIN_ACTIVITY, waitForSubscriptions, wsUrlOf } from '../helpers/subscription-client';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { startTestServer } from '../helpers/test-server';

/** Behind nginx (TRUST_PROXY=1), a socket's address is the proxy's: its log lines name the client's, as a request's do. */
let db: TestDatabase;
let server: RunningServer;
const logs = capturedLogs<{ msg: string; remoteAddress?: string }>();
const lines = () => logs.lines();

beforeAll(async () => {
  db = await createTestDatabase();
  const { logger } = logs;
  server = await startTestServer(db.url, { LOG_LEVEL: 'info', TRUST_PROXY: '1' }, logger);
});
afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

/** `ws` with the header nginx adds (`proxy_add_x_forwarded_for`). */
class ForwardedWebSocket extends WebSocket {
  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols, { headers: { 'x-forwarded-for': '203.0.113.7' } });
  }
}

describe('a WebSocket through a trusted proxy', () => {
  it("logs the X-Forwarded-For address when it connects and closes, not the proxy's", async () => {
    const { token } = await registerUser(new GraphQLClient(server.url));
    const client = createClient({
      url: wsUrlOf(server.url),
      webSocketImpl: ForwardedWebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    const unsubscribe = client.subscribe({ query: LOGIN_ACTIVITY }, { next: () => {}, error: () => {}, complete: () => {} });
    await waitForSubscriptions(server, 1);
    unsubscribe();
    await client.dispose();
    await expect.poll(() => lines().filter((line) => line.msg === 'websocket closed').length).toBe(1);
    const logged = lines().filter((line) => line.msg === 'websocket connected' || line.msg === 'websocket closed');
    expect(logged.map((line) => [line.msg, line.remoteAddress])).toEqual([
      ['websocket connected', '203.0.113.7'],
      ['websocket closed', '203.0.113.7'],
    ]);
  });
});
