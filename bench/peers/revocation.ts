import { post } from '../lib';
import { COOKIE_CACHE_SECONDS } from './better-auth-options';
import { revokeSession, sessionHeaders } from './better-auth-client';
import type { Accounts, Lineup } from './lineup';
import { ME, send } from './requests';

/** How many requests are sent with a cookie-cached session after its revocation, to count the ones still accepted. */
const REQUESTS_AFTER_REVOKE = 20;

interface RevocationCheck {
  readonly server: string;
  readonly revokedBy: string;
  readonly outcome: string;
  /** Null where acceptance after a revocation is expected (a cookie cache), and only reported. */
  readonly passed: boolean | null;
}

function refusal(server: string, revokedBy: string, status: number): RevocationCheck {
  return { server, revokedBy, outcome: `next request: ${status}`, passed: status === 401 };
}

/** After the loads: every server's session revoked, then its next request sent, which must get a 401. */
async function checkRevocations(lineup: Lineup, accounts: Accounts): Promise<RevocationCheck[]> {
  const checks: RevocationCheck[] = [];
  const loggedOut = await post<{ logoutAll: number }>(lineup.server.url, 'mutation { logoutAll }', {}, accounts.bearerHeaders);
  if (!loggedOut.body.data?.logoutAll) throw new Error(`logoutAll failed: ${loggedOut.status} ${JSON.stringify(loggedOut.body)}`);
  checks.push(refusal('this server', '`logoutAll`', (await send(lineup.server.url, accounts.bearerHeaders, ME)).status));
  checks.push(refusal('lean', "this server's `logoutAll` (the same login row)", (await send(lineup.lean.url, accounts.bearerHeaders, ME)).status));

  const off = { peer: lineup.betterAuth.off, session: accounts.betterAuth.off };
  await revokeSession(off.peer.url, off.session);
  checks.push(refusal('better-auth, cookie cache off', 'POST /api/auth/revoke-session', (await send(off.peer.url, sessionHeaders(off.session), ME)).status));

  const on = { peer: lineup.betterAuth.on, session: accounts.betterAuth.on };
  await revokeSession(on.peer.url, on.session);
  let accepted = 0;
  for (let request = 0; request < REQUESTS_AFTER_REVOKE; request++) {
    if ((await send(on.peer.url, sessionHeaders(on.session), ME)).status === 200) accepted += 1;
  }
  checks.push({
    server: 'better-auth, cookie cache on',
    revokedBy: 'POST /api/auth/revoke-session',
    outcome: `${accepted} of the next ${REQUESTS_AFTER_REVOKE} requests answered 200 (its cookie cache may accept a revoked session for ${COOKIE_CACHE_SECONDS} s)`,
    passed: null,
  });
  return checks;
}

/** Prints the checks; a server that accepted a revoked session fails the run (exit code 1) loudly. */
export async function reportRevocations(lineup: Lineup, accounts: Accounts): Promise<void> {
  const checks = await checkRevocations(lineup, accounts);
  console.log('Revocation: each session revoked after the loads, then its next request sent.\n');
  console.log('| server | revoked by | outcome | |\n| --- | --- | --- | --- |');
  for (const check of checks) {
    const verdict = check.passed === null ? 'reported' : check.passed ? 'ok: refused' : '**FAILED: expected 401**';
    console.log(`| ${check.server} | ${check.revokedBy} | ${check.outcome} | ${verdict} |`);
  }
  const failed = checks.filter((check) => check.passed === false);
  if (failed.length) {
    console.error(`\n!!! REVOCATION FAILED: ${failed.map((check) => check.server).join('; ')} did not refuse a revoked session with 401 !!!`);
    process.exitCode = 1;
  }
  console.log('');
}
