import { randomBytes } from 'node:crypto';
import type { ServerProcess } from '../../test/helpers/server-process';
import { BENCH_JWT_SECRET, createBenchDatabase, post, startServer, WIDE_BCRYPT_QUEUE, type BenchDatabase } from '../lib';
import { sessionHeaders, signIn, signUp, type BetterAuthSession } from './better-auth-client';
import { BROWSER_USER_AGENT } from './browser';
import { startPeer, type PeerProcess } from './peer-process';
import { expectMe, send, TYPENAME } from './requests';

export type CacheSetting = 'off' | 'on';

/** The servers the peers scenario compares, each a process of its own. */
export interface Lineup {
  readonly server: ServerProcess;
  readonly betterAuth: Readonly<Record<CacheSetting, PeerProcess>>;
  readonly lean: PeerProcess;
}

/** What was started, stopped (or dropped) in the reverse order, every step even when one fails. */
export class Cleanups {
  private readonly steps: Array<() => Promise<unknown>> = [];

  add(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    for (const step of this.steps.reverse()) await step().catch((error: unknown) => console.error(error));
  }
}

/** better-auth warns about a secret that looks made up by hand; one made at random per run is what production has. */
const BETTER_AUTH_SECRET = randomBytes(32).toString('base64url');

/** Our server on the bench's database; better-auth twice, each on a database of its own; the lean server on ours. */
export async function startLineup(db: BenchDatabase, cleanups: Cleanups): Promise<Lineup> {
  // Registrations from 127.0.0.1 are limited per hour: in a full run the earlier scenarios spent some.
  const server = await startServer(db.url, { ...WIDE_BCRYPT_QUEUE, RATE_LIMIT_REGISTRATIONS_PER_IP: '1000' });
  cleanups.add(() => server.stop());
  const startBetterAuth = async (cache: CacheSetting) => {
    const database = await createBenchDatabase();
    cleanups.add(() => database.drop());
    const peer = await startPeer('better-auth-server', { DATABASE_URL: database.url, BETTER_AUTH_SECRET, COOKIE_CACHE: cache });
    cleanups.add(() => peer.stop());
    return peer;
  };
  const betterAuth = { off: await startBetterAuth('off'), on: await startBetterAuth('on') };
  // Our server has migrated its database by now; the lean server checks the tokens our server issues.
  const lean = await startPeer('lean-server', { DATABASE_URL: db.url, JWT_SECRET: BENCH_JWT_SECRET });
  cleanups.add(() => lean.stop());
  return { server, betterAuth, lean };
}

const PASSWORD = 'correct horse battery';
const REGISTER = 'mutation($input: RegisterInput!) { register(input: $input) { token } }';
const BROWSER = { 'user-agent': BROWSER_USER_AGENT } as const;

/** How many of our server's users the loads on it (and on the lean server) read as. */
const READERS = 32;

async function register(url: string, email: string): Promise<string> {
  const registered = await post<{ register: { token: string } }>(url, REGISTER, { input: { email, password: PASSWORD } }, BROWSER);
  const token = registered.body.data?.register.token;
  if (!token) throw new Error(`register failed: ${JSON.stringify(registered.body)}`);
  return token;
}

/** The signed-in user the loads read as, on every server. */
export interface Accounts {
  readonly email: string;
  /** A second account of our server, for the login load. */
  readonly loginEmail: string;
  readonly password: string;
  /** Our server's token (the lean server accepts it too), and the browser's User-Agent. */
  readonly bearerHeaders: Readonly<Record<string, string>>;
  /**
   * The same for READERS users, the first of them this one: the loads on our server and the lean
   * one cycle through them, so a load is many users' requests, as in production, not one token's.
   */
  readonly readers: ReadonlyArray<Readonly<Record<string, string>>>;
  /** better-auth's current sessions: replaced by `signInAgain`. */
  readonly betterAuth: Record<CacheSetting, BetterAuthSession>;
  /**
   * New better-auth sessions, taken before every round so that a round's cookie cache is never past
   * its maxAge: a browser keeps receiving refreshed cookies, a load generator does not.
   */
  signInAgain(): Promise<void>;
}

/**
 * Registers the user on our server and signs it up and in on each better-auth through its own HTTP
 * API, then checks that every server answers its `me` alike before anything is measured.
 */
export async function openAccounts(lineup: Lineup): Promise<Accounts> {
  const email = 'peers-reader@example.com';
  // The login load logs in again and again from one IP address and user agent, which replaces the
  // previous login each time: an account of its own keeps the reader's token valid.
  const loginEmail = 'peers-login@example.com';
  const token = await register(lineup.server.url, email);
  const readers = [{ ...BROWSER, authorization: `Bearer ${token}` }];
  // A few at a time: each registration is a bcrypt hash on the server's worker pool.
  for (let first = 1; first < READERS; first += 4) {
    const emails = Array.from({ length: Math.min(4, READERS - first) }, (_, offset) => `peers-reader-${first + offset}@example.com`);
    for (const readerToken of await Promise.all(emails.map((readerEmail) => register(lineup.server.url, readerEmail)))) {
      readers.push({ ...BROWSER, authorization: `Bearer ${readerToken}` });
    }
  }
  await post(lineup.server.url, REGISTER, { input: { email: loginEmail, password: PASSWORD } }, BROWSER);
  await signUp(lineup.betterAuth.off.url, email, PASSWORD);
  await signUp(lineup.betterAuth.on.url, email, PASSWORD);
  const signInEverywhere = async () => ({
    off: await signIn(lineup.betterAuth.off.url, email, PASSWORD),
    on: await signIn(lineup.betterAuth.on.url, email, PASSWORD),
  });
  const accounts: Accounts = {
    email,
    loginEmail,
    password: PASSWORD,
    bearerHeaders: readers[0]!,
    readers,
    betterAuth: await signInEverywhere(),
    async signInAgain() {
      Object.assign(accounts.betterAuth, await signInEverywhere());
    },
  };
  // Without its session_data cookie, the cache-on load would read the database like the cache-off one.
  if (!accounts.betterAuth.on.cookie.includes('session_data=')) throw new Error('better-auth with its cookie cache on set no session_data cookie at sign-in');

  await expectMe('this server', lineup.server.url, accounts.bearerHeaders, email);
  await expectMe('better-auth, cookie cache off', lineup.betterAuth.off.url, sessionHeaders(accounts.betterAuth.off), email);
  await expectMe('better-auth, cookie cache on', lineup.betterAuth.on.url, sessionHeaders(accounts.betterAuth.on), email);
  await expectMe('the lean server', lineup.lean.url, accounts.bearerHeaders, email);
  const typename = await send(lineup.lean.url, BROWSER, TYPENAME);
  if (typename.text !== '{"data":{"__typename":"Query"}}') throw new Error(`the lean server answers { __typename } with ${typename.text}`);
  return accounts;
}
