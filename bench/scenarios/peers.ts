import { load, ROUNDS, SECONDS, type BenchDatabase, type LoadResult } from '../lib';
import { COOKIE_CACHE_SECONDS } from '../peers/better-auth-options';
import { sessionHeaders } from '../peers/better-auth-client';
import { BROWSER_USER_AGENT } from '../peers/browser';
import { COMPARISON_HEAD, comparisonRow, GOALS_HEAD, goalRow, ratiosPerRound, type Sample, type Series } from '../peers/comparison';
import { Cleanups, openAccounts, startLineup, type Accounts, type Lineup } from '../peers/lineup';
import type { PeerProcess } from '../peers/peer-process';
import { ME, send, TYPENAME } from '../peers/requests';
import { reportRevocations } from '../peers/revocation';
import { processCpuMicroseconds } from '../process-cpu';

const CONNECTIONS = 32;
/** A login costs a bcrypt hash at cost 12: a few connections keep the workers busy without a queue. */
const LOGIN_CONNECTIONS = 4;
const LOGIN = 'mutation($input: LoginInput!) { login(input: $input) { token } }';
const WARM_UP_SECONDS = 1;
/** How many sequential requests the query count is taken over. */
const COUNTED_REQUESTS = 100;

const GOALS = { overBetterAuthOff: 2.5, overBetterAuthOn: 1.5, overLean: 0.6, p99Ms: 20 } as const;

interface LoadTarget {
  readonly series: Series;
  /** The process whose CPU time the load is charged. */
  readonly pid: number;
  /** A load of `seconds` (SECONDS unless told). */
  run(seconds?: number): Promise<LoadResult>;
}

function target(label: string, pid: number | undefined, run: LoadTarget['run']): LoadTarget {
  if (pid === undefined) throw new Error(`${label}: no process id`);
  return { series: { label, samples: [] }, pid, run };
}

/** A load with the CPU time the server's process spent on it, per response. */
async function measure(load: LoadTarget): Promise<Sample> {
  const before = processCpuMicroseconds(load.pid);
  const result = await load.run();
  const spent = processCpuMicroseconds(load.pid) - before;
  return { result, cpuMicrosecondsPerRequest: result.completed ? spent / result.completed : Number.NaN };
}

/** The compared loads, then the references: all on 32 connections but the bcrypt-bound logins. */
function loadTargets(lineup: Lineup, accounts: Accounts) {
  const { server, betterAuth, lean } = lineup;
  const browser = { 'user-agent': BROWSER_USER_AGENT };
  // Headers are read when a load starts: the better-auth sessions are replaced before every round.
  const reading = (url: string, headers: () => Record<string, string>, body = ME, headerSets?: Accounts['readers']) => (seconds?: number) =>
    load(url, { connections: CONNECTIONS, headers: headers(), bodies: [body], ...(headerSets ? { headerSets } : {}), ...(seconds ? { seconds } : {}) });
  return {
    ours: target('this server, `{ me { id email } }`', server.child.pid, reading(server.url, () => browser, ME, accounts.readers)),
    betterAuthOff: target('better-auth, cookie cache off', betterAuth.off.child.pid, reading(betterAuth.off.url, () => sessionHeaders(accounts.betterAuth.off))),
    betterAuthOn: target(
      `better-auth, cookie cache on (${COOKIE_CACHE_SECONDS} s)`,
      betterAuth.on.child.pid,
      reading(betterAuth.on.url, () => sessionHeaders(accounts.betterAuth.on)),
    ),
    lean: target('lean: node:http + graphql-js, our session check', lean.child.pid, reading(lean.url, () => browser, ME, accounts.readers)),
    anonymous: target('reference: this server, anonymous `{ __typename }`', server.child.pid, reading(server.url, () => browser, TYPENAME)),
    logins: target(`reference: this server, \`login\` (${LOGIN_CONNECTIONS} connections, bcrypt cost 12)`, server.child.pid, (seconds) =>
      load(server.url, {
        connections: LOGIN_CONNECTIONS,
        headers: browser,
        bodies: [JSON.stringify({ query: LOGIN, variables: { input: { email: accounts.loginEmail, password: accounts.password } } })],
        ...(seconds ? { seconds } : {}),
      }),
    ),
  };
}

/** A peer's queries per `me` request: its pool's checkouts over sequential requests. */
async function queriesPerRequest(peer: PeerProcess, headers: Record<string, string>): Promise<string> {
  const before = (await peer.stats()).poolCheckouts;
  for (let request = 0; request < COUNTED_REQUESTS; request++) {
    const { status } = await send(peer.url, headers, ME);
    if (status !== 200) throw new Error(`a request of the query count answered ${status}`);
  }
  return (((await peer.stats()).poolCheckouts - before) / COUNTED_REQUESTS).toFixed(2);
}

async function reportQueryCounts(lineup: Lineup, accounts: Accounts): Promise<void> {
  console.log(`Database queries per \`me\` request (a peer's pool checkouts over ${COUNTED_REQUESTS} sequential requests):\n`);
  console.log('| server | queries per request |\n| --- | --- |');
  console.log(`| better-auth, cookie cache off | ${await queriesPerRequest(lineup.betterAuth.off, sessionHeaders(accounts.betterAuth.off))} |`);
  console.log(`| better-auth, cookie cache on | ${await queriesPerRequest(lineup.betterAuth.on, sessionHeaders(accounts.betterAuth.on))} |`);
  console.log(`| lean | ${await queriesPerRequest(lineup.lean, accounts.bearerHeaders)} |`);
  console.log(
    '| this server | not counted (its pool is inside it); by its code, the same session store as the lean server (one statement per event-loop turn for the logins of the requests that arrived in it), and a lastSeenAt write at most once a minute per login |\n',
  );
}

/**
 * Scenario "peers": our server's authenticated `{ me { id email } }` beside the same answer from
 * better-auth (its getSession behind node:http, cookie cache off and on, each on a database of its
 * own) and from a lean node:http + graphql-js server with our session check, each in its own
 * process, the loads alternated round by round. Then every server's session is revoked and its
 * next request must be refused; a cookie-cached better-auth session is expected to outlive it.
 */
export async function peers(db: BenchDatabase): Promise<void> {
  const cleanups = new Cleanups();
  try {
    const lineup = await startLineup(db, cleanups);
    const accounts = await openAccounts(lineup);
    const loads = loadTargets(lineup, accounts);
    const order = [loads.ours, loads.betterAuthOff, loads.betterAuthOn, loads.lean, loads.anonymous, loads.logins];

    // A server's first seconds under load run code the JIT has not optimised yet: a first round would
    // measure that, most for whichever server goes first. Logins are bcrypt-bound and need none.
    for (const warming of order) if (warming !== loads.logins) await warming.run(WARM_UP_SECONDS);
    for (let round = 0; round < ROUNDS; round++) {
      if (round > 0) await accounts.signInAgain();
      for (const next of order) next.series.samples.push(await measure(next));
    }

    console.log(`## Peers: this server beside better-auth and a lean server (${CONNECTIONS} connections, a browser's User-Agent)\n`);
    console.log(`${ROUNDS} rounds × ${SECONDS} s per load, the six loads alternated in each round; medians over the rounds (errors summed).`);
    console.log("CPU per request: the server process's user + system time over the load (/proc/<pid>/stat), per response.");
    console.log(`This server and the lean one are read as ${accounts.readers.length} users, their tokens cycled request by request; better-auth as one.\n`);
    console.log(COMPARISON_HEAD);
    for (const row of order) console.log(comparisonRow(row.series, row === loads.logins ? ' logins/s' : ''));
    console.log(`\n${GOALS_HEAD}`);
    const ratio = (label: string, peer: LoadTarget, target: number) =>
      goalRow({ label: `this server / ${label}, req/s`, values: ratiosPerRound(loads.ours.series, peer.series), bound: 'at least', target });
    console.log(ratio('better-auth cache off', loads.betterAuthOff, GOALS.overBetterAuthOff));
    console.log(ratio('better-auth cache on', loads.betterAuthOn, GOALS.overBetterAuthOn));
    console.log(ratio('lean', loads.lean, GOALS.overLean));
    const p99s = loads.ours.series.samples.map((sample) => sample.result.p99);
    console.log(goalRow({ label: "this server's p99", values: p99s, bound: 'at most', target: GOALS.p99Ms, format: (ms) => `${ms} ms` }));
    console.log('');

    await reportQueryCounts(lineup, accounts);
    await reportRevocations(lineup, accounts);
  } finally {
    await cleanups.run();
  }
}
