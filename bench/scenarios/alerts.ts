import os from 'node:os';
import bcrypt from 'bcryptjs';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { createBenchDatabase, load, median, medianOf, ROUNDS, SECONDS, startServer, WIDE_BCRYPT_QUEUE, type BenchDatabase, type LoadResult } from '../lib';
import type { ServerProcess } from '../../test/helpers/server-process';
import { processCpuMicroseconds, threadCpuMicroseconds } from '../process-cpu';

const PASSWORD = 'correct horse battery';
const BCRYPT_COST = 12;
const LOGIN = 'mutation($input: LoginInput!) { login(input: $input) { token } }';
/** A login costs a bcrypt hash at cost 12: a few connections keep both workers busy, as in scenario "peers". */
const CONNECTIONS = 4;
const WARM_UP_SECONDS = 2;
/** Users per round and server: far more than a round can sign in, so that no user signs in twice. */
const USERS_PER_ROUND = Math.max(300, SECONDS * 60);
/** After a round with alerts on, how long the queue may take to send the round's emails. */
const DRAIN_TIMEOUT_MS = 120_000;
const GOAL = 1.1;
/** A round whose load answered fewer logins than this (a machine starved of CPU) has no p50 worth comparing. */
const MIN_ANSWERED = 3;

/** Every bench user was registered from this: each bench login comes from another browser/OS pair, so it is a new device. */
const REGISTRATION_USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0';

/**
 * A distinct User-Agent for login `index`: a browser/OS pair (never Firefox on Linux, the users'
 * registration) and a major version that both vary with the index, and a build number that is the index.
 */
const USER_AGENTS: Array<(major: number, build: number) => string> = [
  (v, b) => `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.${b}.0 Safari/537.36`,
  (v, b) => `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${v - 110}.${b} Safari/605.1.15`,
  (v, b) => `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36 Edg/${v}.0.${b}.0`,
  (v, b) => `Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${v - 110}.${b} Mobile/15E148 Safari/604.1`,
  (v, b) => `Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:${v}.0) Gecko/20100101 Firefox/${v}.0.${b}`,
  (v, b) => `Mozilla/5.0 (Linux; Android 14; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.${b}.0 Mobile Safari/537.36`,
  (v, b) => `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.${b}.0 Safari/537.36`,
  (v, b) => `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36 OPR/${v - 14}.0.${b}.0`,
];
// 8 pairs and 23 majors (coprime): the pair and the version change from each login to the next.
const userAgentOf = (index: number) => USER_AGENTS[index % USER_AGENTS.length]!(120 + (index % 23), index);

/** An SMTP server that accepts every message (no login needed, no STARTTLS offered) and discards it, counting by recipient domain. */
async function startSmtpSink() {
  const received = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        for (const recipient of session.envelope.rcptTo) {
          const domain = recipient.address.slice(recipient.address.lastIndexOf('@') + 1);
          received.set(domain, (received.get(domain) ?? 0) + 1);
        }
        callback();
      });
    },
  });
  const port = await new Promise<number>((resolve) => {
    const listening = server.listen(0, '127.0.0.1', () => {
      const address = listening.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
  return {
    url: `smtp://127.0.0.1:${port}`,
    received: (domain: string) => received.get(domain) ?? 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * `count` users with one precomputed hash, each with one earlier login (its registration) from
 * Firefox on Linux a day ago, inserted with SQL: registering them through the API would cost a
 * bcrypt hash each. Times in whole milliseconds, as the server writes them: a login compares the
 * passwordChangedAt it read (a JavaScript Date) with the row's.
 */
async function seedUsers(db: BenchDatabase, domain: string, count: number, hash: string): Promise<void> {
  await db.query(
    `insert into users (id, email, password_hash, created_at, password_changed_at)
     select gen_random_uuid(), 'user-' || i || '@' || $2, $3, registered, registered
     from generate_series(0, $1 - 1) as i, date_trunc('milliseconds', now() - interval '2 days') as registered`,
    [count, domain, hash],
  );
  await db.query(
    `insert into user_logins (id, user_id, ip_address, user_agent, device, browser_name, os_name, created_at, last_seen_at, expires_at)
     select gen_random_uuid(), u.id, '127.0.0.1', $1, 'Firefox 140 on Linux', 'Firefox', 'Linux',
            now() - interval '1 day', now() - interval '1 day', now() + interval '29 days'
     from users u`,
    [REGISTRATION_USER_AGENT],
  );
  await db.query('vacuum (analyze) users');
  await db.query('vacuum (analyze) user_logins');
}

/** The bench's own connection to a server's database: its backend is left out of the database's CPU time. */
type Probe = pg.Client;

async function openProbe(db: BenchDatabase): Promise<Probe> {
  const probe = new pg.Client({ connectionString: db.url, application_name: 'bench-alerts-probe' });
  // The database is dropped with the connection still open at the end.
  probe.on('error', () => {});
  await probe.connect();
  return probe;
}

const count = async (probe: Probe, sql: string): Promise<number> => Number((await probe.query(sql)).rows[0].count);
/** Logins the bench made (not the seeded registrations). */
const benchLogins = (probe: Probe) => count(probe, `select count(*) from user_logins where user_agent <> '${REGISTRATION_USER_AGENT}'`);
const alertEvents = (probe: Probe) => count(probe, `select count(*) from security_events where kind = 'NEW_DEVICE_ALERT'`);
/** Jobs still in graphile-worker's queue (waiting, running or failed): none once every email went out. */
const queuedJobs = (probe: Probe) => count(probe, 'select count(*) from graphile_worker.jobs');
const usersSigningInTwice = (probe: Probe) =>
  count(probe, `select count(*) from (select user_id from user_logins where user_agent <> '${REGISTRATION_USER_AGENT}' group by user_id having count(*) > 1) as repeated`);

/**
 * The CPU time so far, in milliseconds, of every PostgreSQL backend connected to the probe's
 * database (the server's pool and its queue's connections), the probe's own left out; by pid.
 */
async function backendCpu(probe: Probe): Promise<Map<number, number>> {
  const { rows } = await probe.query<{ pid: number }>(
    `select pid from pg_stat_activity where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid()`,
  );
  const times = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      times.set(pid, processCpuMicroseconds(pid) / 1000);
    } catch {
      // Gone since the query.
    }
  }
  return times;
}

interface Configuration {
  readonly key: 'on' | 'off';
  readonly label: string;
  readonly db: BenchDatabase;
  readonly probe: Probe;
  /** The users' email domain, by which the sink counts this server's emails. */
  readonly domain: string;
  url: string;
  pid: number;
  /** The next round's first user. */
  nextUser: number;
  readonly rounds: Round[];
  /** The server's CPU time while the other one was measured, and for how long: its background rate (timers, the queue's polling). */
  readonly idle: { cpuMs: Cpu; seconds: number };
}

/**
 * CPU time in milliseconds: the server's whole process, its main thread (the event loop, without
 * bcrypt), its database's backends, and the bench's own process (autocannon and the SMTP sink).
 */
interface Cpu {
  process: number;
  mainThread: number;
  database: number;
  bench: number;
}

interface Round {
  readonly result: LoadResult;
  /** Logins the server made in the load (from the database). */
  readonly logins: number;
  /** The CPU time over the load and, in (a), the drain after it. */
  readonly cpuMs: Cpu;
  /** How long the load and the drain after it took. */
  readonly seconds: number;
  readonly mailsDuringLoad?: number;
  readonly queuedAtEnd?: number;
  readonly drainMs?: number;
}

interface CpuSnapshot {
  readonly process: number;
  readonly mainThread: number;
  readonly backends: Map<number, number>;
  readonly bench: number;
}

const benchCpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

const snapshot = async (config: Configuration): Promise<CpuSnapshot> => ({
  process: processCpuMicroseconds(config.pid) / 1000,
  mainThread: threadCpuMicroseconds(config.pid) / 1000,
  backends: await backendCpu(config.probe),
  bench: benchCpu(),
});

/** A backend that connected in between counts from 0; one that disconnected in between is lost (the pools keep theirs open under load). */
function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): Cpu {
  let database = 0;
  for (const [pid, ms] of after.backends) database += ms - (before.backends.get(pid) ?? 0);
  return { process: after.process - before.process, mainThread: after.mainThread - before.mainThread, database, bench: after.bench - before.bench };
}

const idleSince = (): Configuration['idle'] => ({ cpuMs: { process: 0, mainThread: 0, database: 0, bench: 0 }, seconds: 0 });

/** One load of logins, each as a user that has not signed in since its registration, from a browser/OS pair of its own. */
async function runLoad(config: Configuration, seconds: number): Promise<{ result: LoadResult; logins: number }> {
  const first = config.nextUser;
  config.nextUser += USERS_PER_ROUND;
  const users = Array.from({ length: USERS_PER_ROUND }, (_, offset) => first + offset);
  const before = await benchLogins(config.probe);
  const result = await load(config.url, {
    connections: CONNECTIONS,
    seconds,
    bodies: users.map((user) => JSON.stringify({ query: LOGIN, variables: { input: { email: `user-${user}@${config.domain}`, password: PASSWORD } } })),
    headerSets: users.map((user) => ({ 'user-agent': userAgentOf(user) })),
  });
  return { result, logins: (await benchLogins(config.probe)) - before };
}

/** Waits until every alert recorded so far was received by the sink and the queue is empty, or the timeout. */
async function drain(config: Configuration, received: () => number): Promise<{ ms: number; drained: boolean }> {
  const started = performance.now();
  for (;;) {
    const expected = await alertEvents(config.probe);
    if (received() >= expected && (await queuedJobs(config.probe)) === 0) return { ms: performance.now() - started, drained: true };
    if (performance.now() - started > DRAIN_TIMEOUT_MS) return { ms: performance.now() - started, drained: false };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Scenario "alerts" (issue 15): login latency with new-sign-in emails on and off. Two servers on
 * databases of their own: (a) NEW_DEVICE_ALERTS=true with SMTP_URL at an SMTP sink run by the bench,
 * (b) NEW_DEVICE_ALERTS=false. Every login is from a new device (a user's first login after its
 * registration, from another browser/OS pair), so in (a) every one queues an email; the loads
 * alternate round by round, and after each round of (a) the bench waits until the queue has sent
 * that round's emails, so that no round of (b) runs beside (a)'s mail work.
 */
export async function alerts(db: BenchDatabase): Promise<void> {
  const loadAverageAtStart = os.loadavg()[0]!;
  const offDb = await createBenchDatabase();
  const sink = await startSmtpSink();
  const base = { ...WIDE_BCRYPT_QUEUE, BCRYPT_COST: String(BCRYPT_COST) };
  const running: ServerProcess[] = [];
  const probes: Probe[] = [];
  const start = async (url: string, env: Record<string, string>) => {
    const server = await startServer(url, env);
    running.push(server);
    return server;
  };
  try {
    // (b) gets the same SMTP_URL: only NEW_DEVICE_ALERTS differs, and the sink shows it sent nothing.
    const servers = {
      on: await start(db.url, { ...base, NEW_DEVICE_ALERTS: 'true', SMTP_URL: sink.url, MAIL_FROM: 'login-activity <no-reply@bench.example>' }),
      off: await start(offDb.url, { ...base, NEW_DEVICE_ALERTS: 'false', SMTP_URL: sink.url }),
    };
    const pidOf = (key: keyof typeof servers) => {
      const pid = servers[key].child.pid;
      if (pid === undefined) throw new Error(`server ${key}: no process id`);
      return pid;
    };
    const probeOf = async (of: BenchDatabase) => {
      const probe = await openProbe(of);
      probes.push(probe);
      return probe;
    };
    const configs: Record<'on' | 'off', Configuration> = {
      on: { key: 'on', label: '(a) alerts on: NEW_DEVICE_ALERTS=true, SMTP sink', db, probe: await probeOf(db), domain: 'alerts-on.bench.example', url: servers.on.url, pid: pidOf('on'), nextUser: 0, rounds: [], idle: idleSince() },
      off: { key: 'off', label: '(b) alerts off: NEW_DEVICE_ALERTS=false', db: offDb, probe: await probeOf(offDb), domain: 'alerts-off.bench.example', url: servers.off.url, pid: pidOf('off'), nextUser: 0, rounds: [], idle: idleSince() },
    };
    const hash = bcrypt.hashSync(PASSWORD, BCRYPT_COST);
    const usersPerServer = (ROUNDS + 1) * USERS_PER_ROUND;
    for (const config of Object.values(configs)) await seedUsers(config.db, config.domain, usersPerServer, hash);

    /** One load of `config` (and, for (a), the drain after it), while `other` idles. */
    const roundOf = async (config: Configuration, other: Configuration, seconds: number, record: boolean) => {
      const mailsBefore = sink.received(config.domain);
      const begin = { at: performance.now(), cpu: await snapshot(config), otherCpu: await snapshot(other) };
      const { result, logins } = await runLoad(config, seconds);
      if (logins === 0) console.log(`(${config.label}: no login completed in a load of ${seconds} s)`);
      const extra: Partial<Round> = {};
      if (config.key === 'on') {
        const mailsDuringLoad = sink.received(config.domain) - mailsBefore;
        const queuedAtEnd = await queuedJobs(config.probe);
        const drained = await drain(config, () => sink.received(config.domain));
        if (!drained.drained) console.log(`(alerts on: the queue did not drain within ${DRAIN_TIMEOUT_MS / 1000} s after a round)`);
        Object.assign(extra, { mailsDuringLoad, queuedAtEnd, drainMs: drained.ms });
      }
      const elapsed = (performance.now() - begin.at) / 1000;
      const cpuMs = cpuBetween(begin.cpu, await snapshot(config));
      const otherCpuMs = cpuBetween(begin.otherCpu, await snapshot(other));
      if (!record) return;
      config.rounds.push({ result, logins, cpuMs, seconds: elapsed, ...extra });
      // The bench's own CPU time is not the idle server's: it has no idle rate.
      for (const of of ['process', 'mainThread', 'database'] as const) other.idle.cpuMs[of] += otherCpuMs[of];
      other.idle.seconds += elapsed;
    };

    // A first load per server, not counted: the JIT, the pools' connections, the queue's first job.
    await roundOf(configs.on, configs.off, WARM_UP_SECONDS, false);
    await roundOf(configs.off, configs.on, WARM_UP_SECONDS, false);
    for (let round = 0; round < ROUNDS; round++) {
      // The order alternates too: on, off; off, on; …
      const order = round % 2 === 0 ? [configs.on, configs.off] : [configs.off, configs.on];
      await roundOf(order[0]!, order[1]!, SECONDS, true);
      await roundOf(order[1]!, order[0]!, SECONDS, true);
    }

    const on = configs.on;
    const off = configs.off;
    const finalDrain = await drain(on, () => sink.received(on.domain));
    const newDeviceLogins = await benchLogins(on.probe);
    const alertsRecorded = await alertEvents(on.probe);
    const mailsOn = sink.received(on.domain);
    const mailsOff = sink.received(off.domain);
    const loginsOff = await benchLogins(off.probe);
    const repeated = (await usersSigningInTwice(on.probe)) + (await usersSigningInTwice(off.probe));

    console.log(`## Login latency with new-sign-in emails on and off (issue 15; ${CONNECTIONS} connections, bcrypt cost ${BCRYPT_COST})\n`);
    console.log(
      `Every login is a new device: a user's first login since its registration (Firefox on Linux), from one of ${USER_AGENTS.length} other browser/OS pairs, ` +
        `the major version varying too (a distinct User-Agent per login). Two servers, each on its own database; the SMTP sink runs in the bench process.`,
    );
    console.log(
      `${ROUNDS} rounds × ${SECONDS} s per server after a ${WARM_UP_SECONDS} s warm-up each, the order alternated round by round (on, off; off, on; …); ` +
        `after each round of (a) the bench waits for the queue to send its emails. Medians over the rounds (errors and logins summed).`,
    );
    console.log(
      `CPU per login: user + system time (/proc) over all measured loads and, in (a), the drains after them (the mail worker's sending), ` +
        `less the idle rate (measured while the other server was loaded) over that time, over all their logins: ` +
        `the server's whole process (bcrypt workers included), its main thread alone (the event loop: GraphQL, the login's transaction, the queue, nodemailer), ` +
        `and the PostgreSQL backends of its database (the pools' connections; the bench's own left out). ` +
        `Machine load average (1 min): ${loadAverageAtStart.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end, on ${os.cpus().length} cores.\n`,
    );
    console.log(
      '| configuration | logins/s | p50 ms | p99 ms | errors | logins | server CPU per login (bcrypt included) | of it, main thread | PostgreSQL CPU per login | bench process CPU per login |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    /** Medians over the rounds: logins/s over all of them, the latencies over those that answered any login (autocannon gives 0 for none). */
    const latencies = (config: Configuration) => {
      const answered = config.rounds.filter((r) => r.result.completed > 0).map((r) => r.result);
      const all = medianOf(config.rounds.map((r) => r.result));
      return answered.length ? { ...medianOf(answered), requestsPerSecond: all.requestsPerSecond, errors: all.errors } : all;
    };
    /** Per login: the CPU time over the loads (and drains), less the server's idle rate over that time. */
    const cpuPerLogin = (config: Configuration) => {
      const logins = config.rounds.reduce((sum, r) => sum + r.logins, 0);
      const seconds = config.rounds.reduce((sum, r) => sum + r.seconds, 0);
      const net = (of: keyof Cpu) => {
        const idleRate = config.idle.seconds ? config.idle.cpuMs[of] / config.idle.seconds : 0;
        return (config.rounds.reduce((sum, r) => sum + r.cpuMs[of], 0) - idleRate * seconds) / logins;
      };
      return { logins, process: net('process'), mainThread: net('mainThread'), database: net('database'), bench: net('bench') };
    };
    for (const config of [on, off]) {
      const result = latencies(config);
      const cpu = cpuPerLogin(config);
      console.log(
        `| ${config.label} | ${result.requestsPerSecond.toFixed(2)} | ${result.p50} | ${result.p99} | ${result.errors} | ${cpu.logins} | ${cpu.process.toFixed(0)} ms | ${cpu.mainThread.toFixed(1)} ms | ${cpu.database.toFixed(1)} ms | ${cpu.bench.toFixed(1)} ms |`,
      );
    }
    console.log('');
    console.log(
      "| round | order | (a) p50 ms | (b) p50 ms | p50 (a)/(b) | (a) p99 ms | (b) p99 ms | (a) logins/s | (b) logins/s | (a) emails sent during the load / its logins | (a) jobs left at the load's end | (a) drain after it |",
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    const comparable = on.rounds.map((r, index) => r.result.completed >= MIN_ANSWERED && off.rounds[index]!.result.completed >= MIN_ANSWERED);
    const ratioOf = (index: number) => on.rounds[index]!.result.p50 / off.rounds[index]!.result.p50;
    const ratios = on.rounds.flatMap((_, index) => (comparable[index] ? [ratioOf(index)] : []));
    on.rounds.forEach((r, index) => {
      const o = off.rounds[index]!;
      const roundRatio = comparable[index] ? ratioOf(index).toFixed(3) : `– (under ${MIN_ANSWERED} logins answered)`;
      console.log(
        `| ${index + 1} | ${index % 2 === 0 ? 'a, b' : 'b, a'} | ${r.result.p50} | ${o.result.p50} | ${roundRatio} | ${r.result.p99} | ${o.result.p99} | ` +
          `${r.result.requestsPerSecond.toFixed(2)} | ${o.result.requestsPerSecond.toFixed(2)} | ${r.mailsDuringLoad} / ${r.logins} | ${r.queuedAtEnd} | ${(r.drainMs! / 1000).toFixed(1)} s |`,
      );
    });
    const offP50 = latencies(off).p50;
    const ratio = latencies(on).p50 / offP50;
    const met = ratio <= GOAL;
    console.log(
      `\np50(on) / p50(off), of the medians: **${ratio.toFixed(3)}** (goal ≤ ${GOAL.toFixed(2)}: ${met ? 'met' : 'not met'}); ` +
        (ratios.length
          ? `per round ${ratios.map((r) => r.toFixed(3)).join(', ')} (median ${median(ratios).toFixed(3)}, ${ratios.filter((r) => r <= GOAL).length} of ${ratios.length} compared rounds ≤ ${GOAL.toFixed(2)})`
          : 'no round could be compared'),
    );
    const [cpuOn, cpuOff] = [cpuPerLogin(on), cpuPerLogin(off)];
    const extra = { mainThread: cpuOn.mainThread - cpuOff.mainThread, database: cpuOn.database - cpuOff.database, bench: cpuOn.bench - cpuOff.bench };
    // bcrypt's part is the same in both by construction (one comparison at the cost per login): (b)'s whole process and database is the base.
    const baseOff = cpuOff.process + cpuOff.database;
    const share = (ms: number) => `${((ms / baseOff) * 100).toFixed(1)} %`;
    console.log(
      `CPU the alerts add per login, (a) − (b): the server's main thread **${extra.mainThread.toFixed(1)} ms** (the new-device check, the queue, the sending: on the event loop the logins share), ` +
        `PostgreSQL **${extra.database.toFixed(1)} ms**, together ${share(extra.mainThread + extra.database)} of (b)'s server + PostgreSQL CPU per login (${baseOff.toFixed(0)} ms); ` +
        `the bench process (the SMTP sink's share, which a real SMTP server would take elsewhere) ${extra.bench.toFixed(1)} ms. ` +
        `With ${CONNECTIONS} connections the ${os.cpus().length} cores are the bottleneck, so a login's latency grows with the CPU time per login.`,
    );
    console.log(
      `emails: the sink received **${mailsOn}** for (a)'s **${newDeviceLogins}** new-device logins (${alertsRecorded} NEW_DEVICE_ALERT events recorded; warm-up included; ` +
        `${finalDrain.drained ? `queue empty, drained ${(finalDrain.ms / 1000).toFixed(1)} s after the last round` : `queue NOT drained within ${DRAIN_TIMEOUT_MS / 1000} s`}); ` +
        `${mailsOff} for (b)'s ${loginsOff} logins; users signed in more than once: ${repeated}\n`,
    );
  } finally {
    await Promise.all(running.map((server) => server.stop()));
    await Promise.all(probes.map((probe) => probe.end().catch(() => {})));
    await sink.close();
    await offDb.drop();
  }
}
