import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/app';
import { capturedLogs } from '../helpers/captured-logs';
import { GraphQLClient } from '../helpers/graphql-client';
import { registerUser } from '../helpers/operations';
import { subscriptionClients, waitForSubscriptions } from '../helpers/subscription-client';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { startTestServer } from '../helpers/test-server';

interface LogLine {
  msg: string;
  socketId?: string;
  userId?: string | null;
  loginId?: string | null;
  code?: number;
  durationMs?: number;
}

let db: TestDatabase;
let server: RunningServer;
let api: GraphQLClient;
const logs = capturedLogs<LogLine>();
const lines = () => logs.lines();

beforeAll(async () => {
  db = await createTestDatabase();
  const { logger } = logs;
  server = await startTestServer(db.url, { LOG_LEVEL: 'info' }, logger);
  api = new GraphQLClient(server.url);
});
afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

describe('WebSocket connections are logged like requests', () => {
  const clients = subscriptionClients();

  it('logs one line when a socket is connected (id, userId, loginId) and one when it closes (code, duration); never the token', async () => {
    const { token, user, login } = await registerUser(api);
    const subscription = clients.open(server.url, { token });
    await waitForSubscriptions(server, 1);
    await subscription.close();
    await expect.poll(() => lines().filter((line) => line.msg === 'websocket closed').length).toBe(1);

    const connected = lines().filter((line) => line.msg === 'websocket connected');
    expect(connected).toEqual([expect.objectContaining({ socketId: expect.any(String), userId: user.id, loginId: login.id })]);
    const [closed] = lines().filter((line) => line.msg === 'websocket closed');
    expect(closed).toMatchObject({ socketId: connected[0]!.socketId, userId: user.id, loginId: login.id, code: 1000 });
    expect(closed!.durationMs).toEqual(expect.any(Number));

    // A refused one: its close, with the code, and no user.
    const refused = clients.open(server.url, { token: `${token}x` });
    expect((await refused.closed).code).toBe(4401);
    await expect.poll(() => lines().filter((line) => line.msg === 'websocket closed').length).toBe(2);
    expect(lines().filter((line) => line.msg === 'websocket closed')[1]).toMatchObject({ code: 4401, userId: null, loginId: null });

    const [, payload, signature] = token.split('.');
    for (const secret of [token, payload!, signature!]) expect(logs.text()).not.toContain(secret);
  });
});
