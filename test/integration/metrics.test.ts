import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { CHROME_MAC, FIREFOX_LINUX, type ServerFixture } from '../helpers/fixture';
import { errorCodes, GraphQLClient } from '../helpers/graphql-client';
import { LOGIN, LOGOUT, LOGOUT_ALL, LOGOUT_DEVICE, ME, PASSWORD, logInUser, registerUser, uniqueEmail } from '../helpers/operations';
import { SubscriptionClient, waitForSubscriptions } from '../helpers/subscription-client';
import { TcpProxy } from '../helpers/tcp-proxy';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { startTestServer } from '../helpers/test-server';

interface LogLine {
  level: number;
  msg: string;
  err?: { message?: string };
  mail?: { to: string; text: string };
}

/** Everything a logger writes, as parsed JSON lines. */
function captureLogs(level: string) {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { logger: createLogger(loadConfig({ LOG_LEVEL: level, LOG_FORMAT: 'json' }), destination), lines };
}

/**
 * Prometheus metrics (METRICS_PORT): scraped over HTTP from the real server's own metrics listener,
 * the text parsed, and each counter moved by the requests that should move it.
 * One email and IP may fail once before the next attempt is throttled; re-checks of open
 * subscriptions are an hour apart, so no session check happens in the background. New-sign-in
 * emails go to the log (the test environment's mailer), where the tests read their links.
 */
const mainLogs = captureLogs('info');
const t = {} as ServerFixture;
beforeAll(async () => {
  t.db = await createTestDatabase();
  t.server = await startTestServer(
    t.db.url,
    { METRICS_PORT: '0', RATE_LIMIT_LOGIN_FAILURES_PER_EMAIL_IP: '1', SUBSCRIPTION_RECHECK_INTERVAL: '1h' },
    mainLogs.logger,
  );
  t.api = new GraphQLClient(t.server.url);
});
afterAll(async () => {
  await t.server?.stop();
  await t.db?.drop();
});

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)( -?\d+)?$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g;
const unescapeLabel = (value: string) => value.replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char));
const numberOf = (raw: string) => (raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw));

/** Prometheus' text format (0.0.4), as far as a test needs it: TYPE lines and samples. */
function parseMetrics(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name!, type!);
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    expect(match, `not a sample line: ${line}`).not.toBeNull();
    const [, name, labelText = '', raw] = match!;
    const labels = Object.fromEntries([...labelText.matchAll(LABEL_PAIR)].map(([, key, value]) => [key!, unescapeLabel(value!)]));
    samples.push({ name: name!, labels, value: numberOf(raw!) });
  }
  return { types, samples };
}

class Scrape {
  constructor(
    readonly types: Map<string, string>,
    readonly samples: Sample[],
  ) {}

  /** The one sample of `name` with these labels (among others), or undefined when there is none. */
  value(name: string, labels: Record<string, string> = {}): number | undefined {
    const found = this.samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
    expect(found.length, `${name} ${JSON.stringify(labels)}`).toBeLessThanOrEqual(1);
    return found[0]?.value;
  }

  /** `value`, and there must be one. */
  count(name: string, labels: Record<string, string> = {}): number {
    const value = this.value(name, labels);
    expect(value, `${name} ${JSON.stringify(labels)}`).toBeTypeOf('number');
    return value!;
  }
}

async function scrape(server: RunningServer = t.server): Promise<Scrape> {
  const response = await fetch(server.metricsUrl!);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  const { types, samples } = parseMetrics(await response.text());
  return new Scrape(types, samples);
}

/** How much each of these samples moved between two scrapes. */
function moved(before: Scrape, after: Scrape, name: string, labelSets: ReadonlyArray<Record<string, string>>): number[] {
  return labelSets.map((labels) => after.count(name, labels) - before.count(name, labels));
}

const LOGINS = 'login_activity_logins_total';
const CHECKS = 'login_activity_session_checks_total';
const REVOCATIONS = 'login_activity_revocations_total';
const results = (...values: string[]) => values.map((result) => ({ result }));
const reasons = (...values: string[]) => values.map((reason) => ({ reason }));

describe('the metrics listener', () => {
  it('serves Prometheus text at GET /metrics on METRICS_HOST (127.0.0.1) and a port of its own; 404 elsewhere, 405 for other methods', async () => {
    const metricsUrl = new URL(t.server.metricsUrl!);
    expect(metricsUrl.hostname).toBe('127.0.0.1');
    expect(metricsUrl.pathname).toBe('/metrics');
    expect(metricsUrl.port).not.toBe(new URL(t.server.url).port);

    expect((await fetch(new URL('/', metricsUrl))).status).toBe(404);
    expect((await fetch(new URL('/graphql', metricsUrl))).status).toBe(404);
    const post = await fetch(metricsUrl, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    // Not on the public port.
    expect((await fetch(new URL('/metrics', t.server.url))).status).toBe(404);
  });

  it("lists the metrics of the contract, with their types, and Node's default process metrics", async () => {
    const { types } = await scrape();
    expect(Object.fromEntries([...types].filter(([name]) => name.startsWith('login_activity_')))).toEqual({
      login_activity_logins_total: 'counter',
      login_activity_session_checks_total: 'counter',
      login_activity_session_check_duration_seconds: 'histogram',
      login_activity_revocations_total: 'counter',
      login_activity_subscriptions: 'gauge',
      login_activity_queue_jobs: 'gauge',
    });
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'process_start_time_seconds',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
      'nodejs_version_info',
    ]) {
      expect(types.has(name), name).toBe(true);
    }
  });

  it('has every label value of the counters from the start, at 0 or more', async () => {
    const metrics = await scrape();
    for (const result of ['success', 'failure', 'throttled']) expect(metrics.count(LOGINS, { result })).toBeGreaterThanOrEqual(0);
    for (const result of ['valid', 'anonymous', 'rejected']) expect(metrics.count(CHECKS, { result })).toBeGreaterThanOrEqual(0);
    for (const reason of ['LOGOUT', 'LOGOUT_ALL', 'REPLACED', 'LOGIN_LIMIT', 'PASSWORD_CHANGED', 'IDLE_TIMEOUT', 'ADMIN', 'NOT_ME']) {
      expect(metrics.count(REVOCATIONS, { reason })).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('login_activity_logins_total', () => {
  it('counts a registration and a sign-in as success, a wrong password as failure, and a refusal by the rate limit as throttled', async () => {
    const client = t.api.fromIp('127.0.3.1');
    const email = uniqueEmail('counted');
    const before = await scrape();

    await registerUser(client, email);
    await logInUser(client, email);
    const wrong = await client.request(LOGIN, { variables: { input: { email, password: 'not the password' } } });
    expect(errorCodes(wrong)).toEqual(['UNAUTHENTICATED']);
    // RATE_LIMIT_LOGIN_FAILURES_PER_EMAIL_IP=1: the next attempt, even with the right password, is refused.
    const refused = await client.request(LOGIN, { variables: { input: { email, password: PASSWORD } } });
    expect(refused.status).toBe(429);

    expect(moved(before, await scrape(), LOGINS, results('success', 'failure', 'throttled'))).toEqual([2, 1, 1]);
  });

  it('counts an unknown email as failure; bad input counts nothing', async () => {
    const client = t.api.fromIp('127.0.3.2');
    const before = await scrape();
    const unknown = await client.request(LOGIN, { variables: { input: { email: uniqueEmail('nobody'), password: PASSWORD } } });
    expect(errorCodes(unknown)).toEqual(['UNAUTHENTICATED']);
    const badEmail = await client.request(LOGIN, { variables: { input: { email: 'not an email', password: PASSWORD } } });
    expect(errorCodes(badEmail)).toEqual(['BAD_USER_INPUT']);
    expect(moved(before, await scrape(), LOGINS, results('success', 'failure', 'throttled'))).toEqual([0, 1, 0]);
  });
});

describe('login_activity_session_checks_total and login_activity_session_check_duration_seconds', () => {
  it('counts anonymous, valid and rejected checks, and times every one of them', async () => {
    const { token } = await registerUser(t.api);
    await t.api.withToken(token).ok(LOGOUT);
    const before = await scrape();

    await t.api.ok(`query { __typename }`);
    expect((await t.api.withToken(token).request(ME)).status).toBe(401);
    const { token: fresh } = await logInUser(t.api, (await registerUser(t.api)).user.email);
    await t.api.withToken(fresh).ok(ME);

    const after = await scrape();
    // Anonymous: the query, the registration and the sign-in.
    expect(moved(before, after, CHECKS, results('anonymous', 'valid', 'rejected'))).toEqual([3, 1, 1]);
    const count = 'login_activity_session_check_duration_seconds_count';
    expect(after.count(count) - before.count(count)).toBe(5);
    expect(after.count('login_activity_session_check_duration_seconds_sum')).toBeGreaterThan(before.count('login_activity_session_check_duration_seconds_sum'));

    const buckets = after.samples.filter((sample) => sample.name === 'login_activity_session_check_duration_seconds_bucket');
    expect(buckets.length).toBeGreaterThan(5);
    expect(buckets.at(-1)).toEqual({ name: 'login_activity_session_check_duration_seconds_bucket', labels: { le: '+Inf' }, value: after.count(count) });
    // Cumulative: each bucket holds at least the one before it.
    expect(buckets.map((bucket) => bucket.value)).toEqual([...buckets.map((bucket) => bucket.value)].sort((a, b) => a - b));
  });

  it('counts the session check of a WebSocket connection', async () => {
    const { token } = await registerUser(t.api);
    const before = await scrape();
    const client = new SubscriptionClient(t.server.url, { token });
    try {
      await waitForSubscriptions(t.server, 1);
      expect(moved(before, await scrape(), CHECKS, results('anonymous', 'valid', 'rejected'))).toEqual([0, 1, 0]);
    } finally {
      await client.close();
      await waitForSubscriptions(t.server, 0);
    }
  });
});

describe('login_activity_revocations_total', () => {
  it('counts each revocation by its reason: LOGOUT, LOGOUT_ALL, REPLACED, PASSWORD_CHANGED', async () => {
    const email = uniqueEmail('revoked');
    const onDevice = (agent: string) => t.api.withHeaders({ 'user-agent': agent });
    const first = await registerUser(onDevice('device/1'), email);
    const before = await scrape();

    const second = await logInUser(onDevice('device/2'), email);
    await t.api.withToken(first.token).ok(LOGOUT_DEVICE, { variables: { loginId: second.login.id } });
    // The same device again: its login is replaced.
    const again = await logInUser(onDevice('device/1'), email);
    for (const agent of ['device/3', 'device/4']) await logInUser(onDevice(agent), email);
    await t.api.withToken(again.token).ok(`mutation Change($input: ChangePasswordInput!) { changePassword(input: $input) }`, {
      variables: { input: { currentPassword: PASSWORD, newPassword: 'another horse battery', logoutOtherDevices: true } },
    });
    const last = await logInUser(onDevice('device/5'), email, 'another horse battery');
    expect(await t.api.withToken(last.token).ok(LOGOUT_ALL)).toEqual({ logoutAll: 2 });

    expect(moved(before, await scrape(), REVOCATIONS, reasons('LOGOUT', 'REPLACED', 'PASSWORD_CHANGED', 'LOGOUT_ALL', 'NOT_ME', 'ADMIN'))).toEqual([
      1, 1, 2, 2, 0, 0,
    ]);
  });
});

describe('login_activity_revocations_total{reason="NOT_ME"}', () => {
  it('counts the login revoked from the "this wasn\'t me" link of a new-sign-in email', async () => {
    const email = uniqueEmail('not-me');
    await registerUser(t.api.withHeaders({ 'user-agent': FIREFOX_LINUX }), email);
    await logInUser(t.api.withHeaders({ 'user-agent': CHROME_MAC }), email);
    const mailed = () => mainLogs.lines.find((line) => line.mail?.to === email)?.mail?.text;
    await expect.poll(mailed, { timeout: 10_000 }).toBeTypeOf('string');
    const [, token] = /\/security\/not-me\?token=([A-Za-z0-9_-]{43})/.exec(mailed()!)!;
    const before = await scrape();

    const used = await t.api.ok(`mutation LogoutWithAlertLink($token: String!) { logoutWithAlertLink(token: $token) }`, { variables: { token } });
    expect(used).toEqual({ logoutWithAlertLink: true });
    expect(moved(before, await scrape(), REVOCATIONS, reasons('NOT_ME', 'LOGOUT'))).toEqual([1, 0]);
  });
});

describe('login_activity_subscriptions', () => {
  it('is the number of open subscriptions on this instance: 1 while one is open, 0 once it closed', async () => {
    const { token } = await registerUser(t.api);
    expect((await scrape()).count('login_activity_subscriptions')).toBe(0);
    const client = new SubscriptionClient(t.server.url, { token });
    try {
      await waitForSubscriptions(t.server, 1);
      expect((await scrape()).count('login_activity_subscriptions')).toBe(1);
    } finally {
      await client.close();
    }
    await waitForSubscriptions(t.server, 0);
    expect((await scrape()).count('login_activity_subscriptions')).toBe(0);
  });
});

describe('login_activity_queue_jobs', () => {
  const QUEUE = 'login_activity_queue_jobs';
  const TEST_TASK = 'metrics-test-task';

  afterAll(async () => {
    await t.db?.query(`delete from graphile_worker._private_jobs where task_id = (select id from graphile_worker._private_tasks where identifier = $1)`, [
      TEST_TASK,
    ]);
  });

  it('shows the new-sign-in email queue once a new-device login queued its job, in every state', async () => {
    const email = uniqueEmail('queued');
    await registerUser(t.api.withHeaders({ 'user-agent': FIREFOX_LINUX }), email);
    await logInUser(t.api.withHeaders({ 'user-agent': CHROME_MAC }), email);
    // The development mailer writes the email to the log: the job is soon done and gone, its queue stays.
    await expect.poll(async () => (await scrape()).value(QUEUE, { queue: 'new-device-alert', state: 'waiting' }), { timeout: 10_000 }).toBeTypeOf('number');
    const metrics = await scrape();
    for (const state of ['waiting', 'scheduled', 'running', 'failed'])
      expect(metrics.count(QUEUE, { queue: 'new-device-alert', state })).toBeGreaterThanOrEqual(0);
  });

  it('counts waiting, scheduled, running and failed jobs of each task', async () => {
    // A task no worker runs: its jobs stay where the test puts them.
    const add = async (options = '') =>
      (await t.db.query<{ id: string }>(`select (graphile_worker.add_job($1, '{}'::json${options})).id::text as id`, [TEST_TASK]))[0]!.id;
    await add();
    await add(`, run_at => now() + interval '1 hour'`);
    const running = await add(`, run_at => now() + interval '1 hour'`);
    await t.db.query(`update graphile_worker._private_jobs set locked_at = now(), locked_by = 'metrics-test', run_at = now() where id = $1`, [running]);
    const failed = await add(`, max_attempts => 2`);
    // Out of attempts: graphile-worker keeps it and never runs it again.
    await t.db.query(`update graphile_worker._private_jobs set attempts = max_attempts where id = $1`, [failed]);

    const metrics = await scrape();
    const states = ['waiting', 'scheduled', 'running', 'failed'].map((state) => metrics.count(QUEUE, { queue: TEST_TASK, state }));
    expect(states).toEqual([1, 1, 1, 1]);
  });
});

describe('without METRICS_PORT', () => {
  const listening = () => process.getActiveResourcesInfo().filter((resource) => resource === 'TCPServerWrap').length;

  it('nothing more listens than the API itself, and metricsUrl is null', async () => {
    const before = listening();
    const plain = await startTestServer(t.db.url, { NEW_DEVICE_ALERTS: 'false' });
    try {
      expect(plain.metricsUrl).toBeNull();
      expect(listening()).toBe(before + 1);
    } finally {
      await plain.stop();
    }
    expect(listening()).toBe(before);

    const metered = await startTestServer(t.db.url, { NEW_DEVICE_ALERTS: 'false', METRICS_PORT: '0' });
    try {
      expect(metered.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect(listening()).toBe(before + 2);
    } finally {
      await metered.stop();
    }
    // The metrics listener closes with the server.
    expect(listening()).toBe(before);
  });
});

/**
 * Its database behind a proxy the tests cut and freeze, without emails: graphile-worker never
 * installs its schema in this database.
 */
describe('with the database away, or without the job queue', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let server: RunningServer;
  let api: GraphQLClient;
  const logs = captureLogs('warn');

  beforeAll(async () => {
    db = await createTestDatabase();
    proxy = await TcpProxy.inFrontOf(db.url);
    server = await startTestServer(proxy.proxiedUrl(db.url), { METRICS_PORT: '0', NEW_DEVICE_ALERTS: 'false' }, logs.logger);
    api = new GraphQLClient(server.url);
  });
  afterAll(async () => {
    proxy?.release();
    await server?.stop();
    await proxy?.cut();
    await db?.drop();
  });

  const recovered = async () => {
    await proxy.restore();
    await expect.poll(async () => (await fetch(new URL('/healthz', server.url))).status, { timeout: 10_000 }).toBe(200);
  };
  const queueSamples = (metrics: Scrape) => metrics.samples.filter((sample) => sample.name === 'login_activity_queue_jobs');

  it('has no queue samples before graphile-worker installed its schema, and that is no error', async () => {
    const metrics = await scrape(server);
    expect(metrics.types.get('login_activity_queue_jobs')).toBe('gauge');
    expect(queueSamples(metrics)).toEqual([]);
    expect(logs.lines.filter((line) => /job queue's jobs/.test(line.msg))).toEqual([]);
  });

  it('a scrape while the database answers nothing comes back without the queue counts, and a warning is logged', async () => {
    proxy.freeze();
    try {
      const metrics = await scrape(server);
      expect(queueSamples(metrics)).toEqual([]);
      expect(metrics.count('process_cpu_user_seconds_total')).toBeGreaterThan(0);
      // Ended by METRICS_QUEUE_COUNTS_TIMEOUT_MS (2 s), before the pool's own 3 s connect and 5 s query timeouts.
      const warnings = logs.lines.filter((line) => /job queue's jobs/.test(line.msg));
      expect(warnings.map((line) => [line.level, line.err?.message])).toEqual([[40, 'no answer within 2 s']]);
    } finally {
      await recovered();
    }
  });

  it('a revocation whose transaction rolled back is not counted; the same one committed is', async () => {
    const email = uniqueEmail('rollback');
    const first = await registerUser(api.withHeaders({ 'user-agent': 'device/1' }), email);
    await logInUser(api.withHeaders({ 'user-agent': 'device/2' }), email);
    const before = await scrape(server);

    // The COMMIT never reaches the database: the revocations were made and are rolled back.
    const tripped = proxy.cutWhenSent(/commit/i);
    const response = await api.withToken(first.token).request(LOGOUT_ALL);
    await tripped;
    expect(response.status).toBe(503);
    await recovered();
    const active = await db.query('select 1 from user_logins where user_id = $1 and revoked_at is null', [first.user.id]);
    expect(active).toHaveLength(2);
    expect(moved(before, await scrape(server), REVOCATIONS, reasons('LOGOUT_ALL'))).toEqual([0]);

    expect(await api.withToken(first.token).ok(LOGOUT_ALL)).toEqual({ logoutAll: 2 });
    expect(moved(before, await scrape(server), REVOCATIONS, reasons('LOGOUT_ALL'))).toEqual([2]);
  });
});
