import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningServer } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { GraphQLClient, errorCodes } from '../helpers/graphql-client';
import { LOGIN, LOGOUT, ME, MY_LOGINS, PASSWORD, registerUser, uniqueEmail, type AuthPayloadView } from '../helpers/operations';
import { TcpProxy } from '../helpers/tcp-proxy';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { startTestServer } from '../helpers/test-server';

interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  status?: number;
  [field: string]: unknown;
}

/** Everything a logger writes, kept raw (to search for secrets) and as parsed JSON lines. */
function captureLogs(logLevel: string) {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger(loadConfig({ LOG_LEVEL: logLevel, LOG_FORMAT: 'json' }), destination);
  const text = () => chunks.join('');
  const lines = () =>
    text()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogLine);
  return { logger, text, lines };
}

const levels = { debug: 20, info: 30, warn: 40, error: 50 };

/**
 * The server reaches its database through a proxy (cut in the 503 test), and allows two failed
 * logins per email before answering 429.
 */
let db: TestDatabase;
let proxy: TcpProxy;
let server: RunningServer;
let api: GraphQLClient;
const logs = captureLogs('info');

beforeAll(async () => {
  db = await createTestDatabase();
  proxy = await TcpProxy.inFrontOf(db.url);
  server = await startTestServer(proxy.proxiedUrl(db.url), { RATE_LIMIT_LOGIN_FAILURES_PER_EMAIL_IP: '2' }, logs.logger);
  api = new GraphQLClient(server.url);
});
afterAll(async () => {
  await server?.stop();
  await proxy?.cut();
  await db?.drop();
});

/** A client whose requests carry a known request id, so the test can find their log lines. */
function traced(client: GraphQLClient = api) {
  const id = `test-${randomUUID()}`;
  return { id, client: client.withHeaders({ 'x-request-id': id }) };
}

/** The one request line of a request: written when the response has gone, so possibly just after it arrives. */
async function requestLineOf(reqId: string): Promise<LogLine> {
  return vi.waitFor(() => {
    const found = logs.lines().filter((line) => line.reqId === reqId && line.status !== undefined);
    expect(found).toHaveLength(1);
    return found[0]!;
  });
}

describe('request log lines', () => {
  let user: AuthPayloadView;
  const email = uniqueEmail();
  beforeAll(async () => {
    user = await registerUser(api, email);
  });

  it('log a login with its id, operation, status and duration, and none of its secrets', async () => {
    // Another device: a login from the same one would replace (revoke) the registration's login.
    const { id, client } = traced(api.withHeaders({ 'user-agent': 'second-device/1' }));
    const response = await client.request<{ login: AuthPayloadView }>(LOGIN, { variables: { input: { email, password: PASSWORD } } });
    expect(response.status).toBe(200);
    const token = response.data!.login.token;

    const line = await requestLineOf(id);
    expect(line).toMatchObject({
      level: levels.info,
      msg: 'request completed',
      reqId: id,
      method: 'POST',
      path: '/graphql',
      status: 200,
      operationName: 'Login',
      operationType: 'mutation',
    });
    expect(line['durationMs']).toEqual(expect.any(Number));
    expect(line).not.toHaveProperty('userId');
    // Nothing from the request body or the response: no password, no email (a variable), no token.
    for (const secret of [PASSWORD, email, token, user.token]) expect(logs.text()).not.toContain(secret);
  });

  it('carry the user and login of an authenticated request', async () => {
    const { id, client } = traced(api.withToken(user.token));
    await client.ok(MY_LOGINS);
    expect(await requestLineOf(id)).toMatchObject({
      status: 200,
      operationName: 'MyLogins',
      operationType: 'query',
      userId: user.user.id,
      loginId: user.login.id,
    });
  });

  it('log a rejected session as 401, with no user and no token', async () => {
    const session = await registerUser(api.withHeaders({ 'user-agent': 'revoked/1' }));
    await api.withToken(session.token).ok(LOGOUT);

    for (const token of [session.token, 'garbage.token.text']) {
      const { id, client } = traced(api.withToken(token));
      const response = await client.request(ME);
      expect(response.status).toBe(401);
      const line = await requestLineOf(id);
      expect(line).toMatchObject({ level: levels.info, status: 401, path: '/graphql' });
      expect(line).not.toHaveProperty('userId');
      expect(line).not.toHaveProperty('loginId');
      expect(logs.text()).not.toContain(token);
    }
  });

  it('log GraphQL errors with their codes, and rate limiting as a warning with status 429', async () => {
    const input = { email, password: 'wrong password 1' };
    const first = traced();
    const failed = await first.client.request(LOGIN, { variables: { input } });
    expect(errorCodes(failed)).toEqual(['UNAUTHENTICATED']);
    expect(await requestLineOf(first.id)).toMatchObject({ level: levels.info, status: 200, operationName: 'Login', errorCodes: ['UNAUTHENTICATED'] });

    await api.request(LOGIN, { variables: { input } });
    const limited = traced();
    expect((await limited.client.request(LOGIN, { variables: { input } })).status).toBe(429);
    expect(await requestLineOf(limited.id)).toMatchObject({ level: levels.warn, status: 429, errorCodes: ['TOO_MANY_REQUESTS'] });
    expect(logs.text()).not.toContain('wrong password 1');
  });

  it('log an unexpected error with the request id of its request line', async () => {
    await db.query('alter table user_logins rename column created_at to created_at_gone');
    const { id, client } = traced(api.withToken(user.token));
    try {
      expect(errorCodes(await client.request(MY_LOGINS))).toEqual(['INTERNAL_SERVER_ERROR']);
    } finally {
      await db.query('alter table user_logins rename column created_at_gone to created_at');
    }
    expect(await requestLineOf(id)).toMatchObject({ status: 200, errorCodes: ['INTERNAL_SERVER_ERROR'] });
    const errorLine = logs.lines().find((line) => line.reqId === id && line.msg === 'unexpected error');
    expect(errorLine).toMatchObject({ level: levels.error, userId: user.user.id, operationName: 'MyLogins' });
    expect(errorLine?.['err']).toBeDefined();
  });

  it('log a 503 as an error when the database is unreachable', async () => {
    await proxy.cut();
    const { id, client } = traced(api.withToken(user.token));
    try {
      expect((await client.request(ME)).status).toBe(503);
    } finally {
      await proxy.restore();
      await expect.poll(async () => (await fetch(new URL('/healthz', server.url))).status, { timeout: 10_000 }).toBe(200);
    }
    expect(await requestLineOf(id)).toMatchObject({ level: levels.error, msg: 'request failed', status: 503 });
    // The cause, logged by the session check, belongs to the same request.
    expect(logs.lines().some((line) => line.reqId === id && line.msg === 'database unavailable')).toBe(true);
  });

  it('leave out the query string, which can hold variables', async () => {
    const { id } = traced();
    const url = new URL(server.url);
    url.search = new URLSearchParams({ query: 'query Me { me { id } }', variables: JSON.stringify({ secret: 'in-the-url' }) }).toString();
    await fetch(url, { headers: { 'x-request-id': id, 'apollo-require-preflight': 'true' } });
    const line = await requestLineOf(id);
    expect(line).toMatchObject({ method: 'GET', path: '/graphql', operationName: 'Me' });
    expect(logs.text()).not.toContain('in-the-url');
  });

  it('skip a passing health check at the default level', async () => {
    const { id } = traced();
    const response = await fetch(new URL('/healthz', server.url), { headers: { 'x-request-id': id } });
    expect(response.status).toBe(200);
    // Any line of a later request is written after this one would have been.
    await requestLineOf(await sendTraced());
    expect(logs.lines().filter((line) => line.reqId === id)).toEqual([]);
  });
});

/** One quick request with a fresh id, whose line marks a point in the log. */
async function sendTraced(): Promise<string> {
  const { id, client } = traced();
  await client.ok('{ __typename }');
  return id;
}

describe('request ids', () => {
  async function fetchWithId(requestId: string | undefined) {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(requestId === undefined ? {} : { 'x-request-id': requestId }) },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(200);
    return response.headers.get('x-request-id')!;
  }

  it('keep an incoming X-Request-Id that is a short plain token, and send it back', async () => {
    const incoming = `proxy-${randomUUID()}.1_a`;
    expect(await fetchWithId(incoming)).toBe(incoming);
    expect(await requestLineOf(incoming)).toMatchObject({ status: 200 });
  });

  it('replace one that is long or holds anything but letters, digits, dot, dash and underscore', async () => {
    const forged = `x" status=200 {"userId":"someone-else"}`;
    const tooLong = 'a'.repeat(200);
    for (const incoming of [forged, tooLong, 'line%0Abreak', '']) {
      const id = await fetchWithId(incoming);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(await requestLineOf(id)).toMatchObject({ status: 200 });
    }
    expect(logs.text()).not.toContain(tooLong);
    expect(logs.text()).not.toContain('someone-else');
    expect(logs.text()).not.toContain('line%0Abreak');
  });

  it('are made when none comes in, one per request', async () => {
    const [first, second] = [await fetchWithId(undefined), await fetchWithId(undefined)];
    expect(first).not.toBe(second);
    await requestLineOf(first);
    await requestLineOf(second);
  });
});

describe('LOG_LEVEL=silent', () => {
  const silent = captureLogs('silent');
  let quiet: RunningServer;
  beforeAll(async () => {
    quiet = await startTestServer(db.url, { LOG_LEVEL: 'silent' }, silent.logger);
  });
  afterAll(() => quiet?.stop());

  it('logs nothing, and still sends request ids', async () => {
    const client = new GraphQLClient(quiet.url);
    const { token } = await registerUser(client);
    await client.withToken(token).ok(MY_LOGINS);
    await client.withToken('garbage.token.text').request(ME);
    await client.request(LOGIN, { variables: { input: { email: uniqueEmail(), password: 'wrong password 1' } } });
    const response = await fetch(new URL('/healthz', quiet.url));
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((resolve) => setImmediate(resolve));
    expect(silent.text()).toBe('');
  });
});
