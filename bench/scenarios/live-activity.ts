import { readFileSync } from 'node:fs';
import bcrypt from 'bcryptjs';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { load, median, medianOf, post, row, ROUNDS, SECONDS, startServer, TABLE_HEAD, WIDE_BCRYPT_QUEUE, type BenchDatabase, type LoadResult } from '../lib';

const PASSWORD = 'correct horse battery';
const FAN_OUT_LOGINS = 200;
const REVOCATIONS = 20;
const IDLE_SUBSCRIBERS = 1000;
/** One user may hold 20 subscriptions (MAX_SUBSCRIPTIONS_PER_USER's default): 50 users × 20 devices. */
const DEVICES_PER_USER = 20;
const READ_CONNECTIONS = 8;

const LOGIN = 'mutation($input: LoginInput!) { login(input: $input) { token login { id } } }';
const SUBSCRIPTION = 'subscription { loginActivity { kind login { id current } } }';
const MY_LOGINS = JSON.stringify({ query: '{ myLogins { id device createdAt lastSeenAt current } }' });

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)]!;
};
const ms = (value: number) => value.toFixed(1);

/**
 * Users inserted straight into the database with a cost-4 hash, on servers at BCRYPT_COST=4, so a
 * thousand logins take seconds, not minutes (a server at cost 12 would make each sign-in of a
 * cost-4 hash do cost-12 work, to hide that the account exists, and rehash it).
 */
const LIVE_SERVER = { ...WIDE_BCRYPT_QUEUE, BCRYPT_COST: '4' };
async function seedUsers(db: BenchDatabase, prefix: string, count: number): Promise<string[]> {
  const hash = bcrypt.hashSync(PASSWORD, 4);
  const emails = Array.from({ length: count }, (_, index) => `${prefix}-${index}@example.com`);
  await db.query(
    `insert into users (id, email, password_hash, created_at) select gen_random_uuid(), e, $2, now() from unnest($1::text[]) as e`,
    [emails, hash],
  );
  return emails;
}

async function logIn(url: string, email: string, device: string) {
  const response = await post<{ login: { token: string; login: { id: string } } }>(url, LOGIN, { input: { email, password: PASSWORD } }, { 'user-agent': device });
  if (!response.body.data) throw new Error(`login failed: HTTP ${response.status} ${JSON.stringify(response.body.errors)}`);
  return response.body.data.login;
}

interface Subscriber {
  client: Client;
  connected: Promise<void>;
  closed: Promise<{ code: number; at: number }>;
}

function subscribe(url: string, token: string, onEvent: (event: { kind: string; login: { id: string } }, at: number) => void = () => {}): Subscriber {
  let connected!: () => void;
  let closed!: (value: { code: number; at: number }) => void;
  const subscriber: Subscriber = {
    connected: new Promise((resolve) => (connected = resolve)),
    closed: new Promise((resolve) => (closed = resolve)),
    client: createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      lazy: false,
      retryAttempts: 0,
      keepAlive: 0,
      onNonLazyError: () => {},
      on: {
        connected: () => connected(),
        closed: (event) => closed({ code: (event as { code: number }).code, at: performance.now() }),
      },
    }),
  };
  subscriber.client.subscribe<{ loginActivity: { kind: string; login: { id: string } } }>(
    { query: SUBSCRIPTION },
    {
      next: (result) => {
        if (result.data) onEvent(result.data.loginActivity, performance.now());
      },
      error: () => {},
      complete: () => {},
    },
  );
  return subscriber;
}

async function inBatches<T, R>(items: T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += size) results.push(...(await Promise.all(items.slice(start, start + size).map(work))));
  return results;
}

/** The server process's resident memory (Linux). */
function rssMiB(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Part 1: a login answered on A, and its LOGIN event on B; then revocations on A closing sockets on B. */
async function fanOut(db: BenchDatabase): Promise<void> {
  const [a, b] = await Promise.all([startServer(db.url, LIVE_SERVER), startServer(db.url, LIVE_SERVER)]);
  try {
    const [email] = await seedUsers(db, 'fan-out', 1);
    const laptop = await logIn(a.url, email!, 'bench-laptop/1');
    const arrivals = new Map<string, number>();
    const onB = subscribe(b.url, laptop.token, (event, at) => {
      if (event.kind === 'LOGIN') arrivals.set(event.login.id, at);
    });
    await onB.connected;
    // The subscribe message follows the acknowledgement; give the server a moment to open the stream.
    await new Promise((resolve) => setTimeout(resolve, 500));

    const fromAnswer: number[] = [];
    const fromRequest: number[] = [];
    let eventFirst = 0;
    for (let index = 0; index < FAN_OUT_LOGINS; index++) {
      const sent = performance.now();
      // The same device each time: every login replaces the previous one (REVOKED + LOGIN on B).
      const { login } = await logIn(a.url, email!, 'bench-phone/1');
      const answered = performance.now();
      while (!arrivals.has(login.id)) await new Promise((resolve) => setTimeout(resolve, 1));
      const arrived = arrivals.get(login.id)!;
      fromAnswer.push(arrived - answered);
      fromRequest.push(arrived - sent);
      if (arrived < answered) eventFirst += 1;
    }
    await onB.client.dispose();

    const closeTimes: number[] = [];
    for (let index = 0; index < REVOCATIONS; index++) {
      const tablet = await logIn(a.url, email!, `bench-tablet-${index}/1`);
      const onTablet = subscribe(b.url, tablet.token);
      await onTablet.connected;
      const sent = performance.now();
      await post(a.url, 'mutation($id: ID!) { logoutDevice(loginId: $id) }', { id: tablet.login.id }, { authorization: `Bearer ${laptop.token}` });
      const closed = await onTablet.closed;
      if (closed.code !== 4401) throw new Error(`expected 4401, got ${closed.code}`);
      closeTimes.push(closed.at - sent);
      await onTablet.client.dispose();
    }

    console.log(`## 5. Live login activity (subscriptions over WebSocket, PostgreSQL LISTEN/NOTIFY)\n`);
    console.log(`### Fan-out across instances: ${FAN_OUT_LOGINS} logins answered on A, each LOGIN event received on B\n`);
    console.log('| measured from | p50 ms | p99 ms | max ms |\n| --- | --- | --- | --- |');
    console.log(`| the login's answer on A | ${ms(median(fromAnswer))} | ${ms(percentile(fromAnswer, 0.99))} | ${ms(Math.max(...fromAnswer))} |`);
    console.log(`| the login's request to A | ${ms(median(fromRequest))} | ${ms(percentile(fromRequest, 0.99))} | ${ms(Math.max(...fromRequest))} |`);
    console.log(`\nevents that arrived on B before the answer reached the client (NOTIFY is delivered at commit): ${eventFirst} of ${FAN_OUT_LOGINS}`);
    console.log(`\nrevoke to close, ${REVOCATIONS} times: logoutDevice sent to A, until B's socket of that login closed with 4401: p50 ${ms(median(closeTimes))} ms, max ${ms(Math.max(...closeTimes))} ms (requirement: under 1000 ms)\n`);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}

/**
 * Part 2: authenticated HTTP reads with no subscriber, with 1,000 idle ones, and while 1,000 connect
 * at once (each connection_init runs the session check against the database), rotated round by round.
 */
async function idleSubscribers(db: BenchDatabase): Promise<void> {
  const server = await startServer(db.url, LIVE_SERVER);
  try {
    const emails = await seedUsers(db, 'idle', IDLE_SUBSCRIBERS / DEVICES_PER_USER);
    // Device by device across users, so logins in flight at once are of different users: each counts
    // against its email's failed-login limit until it succeeds.
    const devices = Array.from({ length: DEVICES_PER_USER }, (_, device) =>
      emails.map((email) => ({ email, device: `idle-device-${device}/1` })),
    ).flat();
    const tokens = (await inBatches(devices, 16, ({ email, device }) => logIn(server.url, email, device))).map((login) => login.token);
    const [reader] = await seedUsers(db, 'reader', 1);
    const readToken = (await logIn(server.url, reader!, 'reader/1')).token;
    const read = () => load(server.url, { connections: READ_CONNECTIONS, headers: { authorization: `Bearer ${readToken}` }, bodies: [MY_LOGINS] });

    const connect = () =>
      inBatches(tokens, 100, async (token) => {
        const subscriber = subscribe(server.url, token);
        await subscriber.connected;
        return subscriber;
      });
    const connectAll = async () => {
      const subscribers = await connect();
      // Let the connections settle (subscribe messages, lastSeenAt writes) before measuring.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      return subscribers;
    };
    const disconnectAll = async (subscribers: Subscriber[]) => {
      await Promise.all(subscribers.map((subscriber) => subscriber.client.dispose()));
      await new Promise((resolve) => setTimeout(resolve, 2000));
    };

    await read(); // warm-up, not counted
    const none: LoadResult[] = [];
    const idle: LoadResult[] = [];
    const burst: LoadResult[] = [];
    const burstSeconds: number[] = [];
    const rss = { none: [] as number[], idle: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      const measureNone = async () => {
        none.push(await read());
        rss.none.push(rssMiB(server.child.pid));
      };
      const measureIdle = async () => {
        const subscribers = await connectAll();
        idle.push(await read());
        rss.idle.push(rssMiB(server.child.pid));
        await disconnectAll(subscribers);
      };
      const measureBurst = async () => {
        const reading = read();
        const started = performance.now();
        const subscribers = await connect();
        burstSeconds.push((performance.now() - started) / 1000);
        burst.push(await reading);
        await disconnectAll(subscribers);
      };
      // The order rotates, so no load always runs first after another.
      const loads = [measureNone, measureIdle, measureBurst];
      for (let k = 0; k < loads.length; k++) await loads[(round + k) % loads.length]!();
    }

    const [withNone, withIdle, duringBurst] = [medianOf(none), medianOf(idle), medianOf(burst)];
    console.log(`### Authenticated \`myLogins\` over HTTP (${READ_CONNECTIONS} connections): no subscriber, ${IDLE_SUBSCRIBERS} idle ones, ${IDLE_SUBSCRIBERS} connecting at once (${ROUNDS} rounds rotated)\n`);
    console.log(TABLE_HEAD);
    console.log(row('no subscriber', withNone));
    console.log(row(`${IDLE_SUBSCRIBERS} idle subscribers (${IDLE_SUBSCRIBERS / DEVICES_PER_USER} users × ${DEVICES_PER_USER})`, withIdle));
    console.log(row(`while ${IDLE_SUBSCRIBERS} subscribers connect at once`, duringBurst));
    const p99s = (results: LoadResult[]) => results.map((result) => result.p99).join(', ');
    console.log(`\np99 of each round (ms): ${p99s(none)} without; ${p99s(idle)} with them idle; ${p99s(burst)} during the burst`);
    console.log(`\nthe burst: ${IDLE_SUBSCRIBERS} sockets connected and subscribed in ${median(burstSeconds).toFixed(1)} s (median), while the ${SECONDS} s load ran`);
    console.log(`\nHTTP p99 / without subscribers: **${(withIdle.p99 / withNone.p99).toFixed(2)}** with ${IDLE_SUBSCRIBERS} idle, **${(duringBurst.p99 / withNone.p99).toFixed(2)}** during the burst; server RSS (median) ${median(rss.none).toFixed(0)} MiB without, ${median(rss.idle).toFixed(0)} MiB with them\n`);
  } finally {
    await server.stop();
  }
}

/** Scenario 5 (`npm run bench -- live`). */
export async function liveActivity(db: BenchDatabase): Promise<void> {
  await fanOut(db);
  await idleSubscribers(db);
}
