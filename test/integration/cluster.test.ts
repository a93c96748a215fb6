import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LoginActivityDocument, createLiveClient, type LiveClient } from '../../sdk';
import { startCluster, type Cluster } from '../../scripts/cluster/cluster';
import { nginxAvailable } from '../../scripts/cluster/run-nginx';
import { pgbouncerAvailable } from '../../scripts/cluster/run-pgbouncer';
import { GraphQLClient, type GraphQLResponse } from '../helpers/graphql-client';
import { LOGIN, LOGOUT_DEVICE, ME, MY_LOGINS, PASSWORD, logInUser, registerUser, uniqueEmail } from '../helpers/operations';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { TEST_LIMITS } from '../helpers/test-server';

/**
 * Issue 17: the tested topology, as `npm run cluster` starts it (scripts/cluster/): two instances of
 * the compiled server behind Debian's nginx (deploy/nginx.conf), their DATABASE_URL through Debian's
 * PgBouncer in transaction mode (deploy/pgbouncer.ini), LISTEN_DATABASE_URL straight to PostgreSQL.
 */
const available = nginxAvailable() && pgbouncerAvailable();
if (!available) {
  console.warn('\n*** CLUSTER TESTS SKIPPED: nginx or pgbouncer missing (apt-get install nginx pgbouncer; .ci/run does) ***\n');
}

const INSTANCE_ENV = {
  ...TEST_LIMITS,
  // The load logs one user in over and over: none of those logins may be revoked for the limit.
  MAX_ACTIVE_LOGINS: '100000',
  LOG_LEVEL: 'info',
};

/** A request's outcome as the load saw it: anything but a 200 without errors is a failure. */
interface Outcome {
  readonly kind: 'query' | 'login';
  readonly status: number | 'no answer';
  readonly errors?: unknown;
}

const failed = (outcome: Outcome) => outcome.status !== 200 || outcome.errors !== undefined;

describe.skipIf(!available)('behind nginx and PgBouncer (transaction mode)', () => {
  let db: TestDatabase;
  let cluster: Cluster;
  let api: GraphQLClient;

  beforeAll(async () => {
    db = await createTestDatabase();
    // The two instances start together on a new database: one migrates, under the lock on the direct URL.
    cluster = await startCluster({ instances: 2, directUrl: db.url, env: INSTANCE_ENV });
    api = new GraphQLClient(cluster.url);
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
    await db?.drop();
  }, 60_000);

  it('serves sign-ins and authenticated requests on both instances through the pooler, with no prepared-statement errors', async () => {
    const users = await Promise.all(Array.from({ length: 8 }, () => registerUser(api)));
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, index) => api.withToken(users[index % users.length]!.token).request(ME)),
    );
    expect(responses.filter((response) => response.status !== 200 || response.errors)).toEqual([]);
    // Both instances served (nginx round-robins); the rate limiter and the session check ran on each.
    for (const instance of cluster.instances) {
      const direct = new GraphQLClient(instance.url);
      expect(await direct.withToken(users[0]!.token).ok(ME)).toEqual({ me: users[0]!.user });
      await logInUser(direct.withHeaders({ 'user-agent': `direct-${instance.index}/1` }), users[1]!.user.email);
    }
    // The statement timeout the server cannot send through PgBouncer comes from its connect_query.
    const pooled = new pg.Client({ connectionString: cluster.pooledUrl });
    await pooled.connect();
    try {
      expect((await pooled.query<{ statement_timeout: string }>('show statement_timeout')).rows).toEqual([{ statement_timeout: '5s' }]);
    } finally {
      await pooled.end();
    }
    for (const instance of cluster.instances) {
      expect(instance.output.join('\n')).not.toMatch(/prepared statement|unsupported startup parameter|"level":50/);
    }
  });

  it('restarts both instances in turn under load with zero failed requests, no duplicate logins, subscribers back within 2 s', async () => {
    const email = uniqueEmail('rolling');
    const owner = await registerUser(api.withHeaders({ 'user-agent': 'rolling-owner/1' }), email);
    const victim = await logInUser(api.withHeaders({ 'user-agent': 'rolling-victim/1' }), email);
    const readers = await Promise.all(Array.from({ length: 4 }, () => registerUser(api)));

    // Subscribers through nginx, with the SDK's live client: each refetches myLogins when it reconnects.
    const subscribers = readers.slice(0, 2).map((reader, index) => watch(cluster.url, reader.token, index));

    const outcomes: Outcome[] = [];
    const loggedIn: string[] = [];
    let loading = true;
    const record = (kind: Outcome['kind'], response: GraphQLResponse<unknown> | null, error?: unknown) =>
      outcomes.push(
        response ? { kind, status: response.status, ...(response.errors ? { errors: response.errors } : {}) } : { kind, status: 'no answer', errors: String(error) },
      );
    const send = (kind: Outcome['kind'], request: Promise<GraphQLResponse<unknown>>) =>
      request.then(
        (response) => {
          record(kind, response);
          return response;
        },
        (error: unknown) => {
          record(kind, null, error);
          return null;
        },
      );
    // Steady load: authenticated queries on four users, and logins (each from a device of its own).
    let device = 0;
    const workers = [
      ...readers.map(async (reader) => {
        while (loading) await send('query', api.withToken(reader.token).request(MY_LOGINS));
      }),
      ...[0, 1].map(async () => {
        while (loading) {
          const userAgent = `rolling-device-${(device += 1)}/1`;
          const response = await send('login', api.withHeaders({ 'user-agent': userAgent }).request(LOGIN, { variables: { input: { email, password: PASSWORD } } }));
          if (response?.status === 200 && !response.errors) loggedIn.push(userAgent);
        }
      }),
    ];

    await Promise.all(subscribers.map((subscriber) => subscriber.connected));
    for (const instance of cluster.instances) {
      const exitCode = await instance.stop('SIGTERM');
      if (exitCode !== 0) console.log(`instance ${instance.index} exited with ${exitCode}:\n${instance.output.slice(-30).join('\n')}`);
      expect(exitCode).toBe(0);
      if (instance.index === 0) {
        // While one instance is down: a revocation is refused on the next request, through nginx.
        await api.withToken(owner.token).ok(LOGOUT_DEVICE, { variables: { loginId: victim.login.id } });
        expect((await api.withToken(victim.token).request(ME)).status).toBe(401);
      }
      // Resolves once the instance's /healthz answers 200.
      await instance.start();
      // nginx takes a refused instance out for fail_timeout (2 s): it is back in rotation after that.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
    }
    loading = false;
    await Promise.all(workers);

    const failures = outcomes.filter(failed);
    console.log(
      `rolling restart: ${outcomes.length} requests (${outcomes.filter((outcome) => outcome.kind === 'login').length} logins), ${failures.length} failed; ` +
        `reconnections (ms after the 1001): ${subscribers.map((subscriber) => subscriber.reconnectDelaysMs.map(Math.round).join(', ')).join(' | ')}`,
    );
    if (failures.length > 0) {
      console.log(`nginx's error log:\n${await cluster.nginx.errorLog()}`);
      for (const instance of cluster.instances) console.log(`instance ${instance.index} (port ${instance.port}):\n${instance.output.slice(-40).join('\n')}`);
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(failures.length).toBe(0);
    expect(outcomes.length).toBeGreaterThan(100);

    // Each login answered is one row; no mutation was applied twice (a retried POST would add a row).
    const rows = await db.query<{ user_agent: string; count: string }>(
      `select user_agent, count(*) as count from user_logins where user_id = $1 and user_agent like 'rolling-device-%' group by user_agent`,
      [owner.user.id],
    );
    expect(rows.filter((row) => row.count !== '1')).toEqual([]);
    expect(rows.map((row) => row.user_agent).sort()).toEqual([...loggedIn].sort());

    // Every subscriber was closed with 1001 by the instance it was on, at least once, and came back
    // through nginx within 2 s each time, and refetched.
    for (const subscriber of subscribers) {
      expect(subscriber.reconnectDelaysMs.length).toBeGreaterThanOrEqual(1);
      for (const delay of subscriber.reconnectDelaysMs) expect(delay).toBeLessThan(2_000);
      expect(subscriber.refetches).toBe(subscriber.reconnectDelaysMs.length);
      await subscriber.client.dispose();
    }

    // The revoked login is refused by each instance itself, the restarted ones included.
    for (const instance of cluster.instances) {
      expect((await new GraphQLClient(instance.url).withToken(victim.token).request(ME)).status).toBe(401);
    }
  }, 120_000);
});

interface Watcher {
  readonly client: LiveClient;
  readonly connected: Promise<void>;
  /** For each 1001 close: how long until the socket was connected again. */
  readonly reconnectDelaysMs: number[];
  refetches: number;
}

/** A subscriber through nginx, as an app holds one: it refetches myLogins after each reconnection. */
function watch(url: string, token: string, index: number): Watcher {
  let onFirst!: () => void;
  let closedAt: number | null = null;
  const watcher: Watcher = {
    connected: new Promise<void>((resolve) => (onFirst = resolve)),
    reconnectDelaysMs: [],
    refetches: 0,
    client: createLiveClient({
      url,
      token,
      webSocketImpl: WebSocket,
      retryAttempts: 20,
      onClosed: (close) => {
        if (close.code === 1001) closedAt = performance.now();
      },
      onConnected: ({ reconnected }) => {
        onFirst();
        if (!reconnected) return;
        if (closedAt !== null) watcher.reconnectDelaysMs.push(performance.now() - closedAt);
        closedAt = null;
        void new GraphQLClient(url)
          .withToken(token)
          .ok(MY_LOGINS)
          .then(() => (watcher.refetches += 1));
      },
    }),
  };
  void (async () => {
    try {
      for await (const event of watcher.client.subscribe(LoginActivityDocument)) void event;
    } catch (error) {
      console.warn(`subscriber ${index} ended: ${String(error)}`);
    }
  })();
  return watcher;
}
