import { describe, expect, it } from 'vitest';
import { errorCodes, type GraphQLClient } from '../helpers/graphql-client';
import { useTestServer } from '../helpers/fixture';
import { LOGIN, PASSWORD, registerUser, uniqueEmail } from '../helpers/operations';

// Only wrong passwords add up: correct logins, and attempts a limit refused, give their points back.
const FAILURES_PER_EMAIL_IP = 10;
const FAILURES_PER_IP = 100;
const t = useTestServer({
  // Slow enough that parallel logins are still being checked when the next ones arrive, as in production.
  BCRYPT_COST: '8',
  RATE_LIMIT_LOGIN_FAILURES_PER_EMAIL_IP: String(FAILURES_PER_EMAIL_IP),
  RATE_LIMIT_LOGIN_FAILURES_PER_IP: String(FAILURES_PER_IP),
});

// Users register from 127.0.0.1 (the test server lifts the registration limit); each test logs in
// from loopback addresses of its own, which the server sees as other client IPs.
let nextHost = 0;
const fromNewIp = () => t.api.fromIp(`127.0.9.${++nextHost + 1}`);

const logIn = (api: GraphQLClient, email: string, password = PASSWORD) =>
  api.request(LOGIN, { variables: { input: { email, password } } });

/** Sends `count` wrong-password logins at once, each for an email of its own, and returns their codes. */
async function wrongGuesses(api: GraphQLClient, count: number) {
  const responses = await Promise.all(Array.from({ length: count }, () => logIn(api, uniqueEmail('nobody'), 'wrong password')));
  return responses.map((response) => errorCodes(response)[0]);
}

/** The IP's whole allowance of failures is left: exactly the limit is checked, the rest refused. */
async function expectFullFailureAllowance(api: GraphQLClient, allowance: number) {
  const codes = await wrongGuesses(api, allowance + 1);
  expect(codes.filter((code) => code === 'UNAUTHENTICATED')).toHaveLength(allowance);
  expect(codes.filter((code) => code === 'TOO_MANY_REQUESTS')).toHaveLength(1);
}

describe('correct logins never add up', () => {
  it('7 bursts of 40 parallel correct logins of one account leave the IP free to log in another account', async () => {
    const office = fromNewIp();
    const busy = uniqueEmail('busy');
    const other = uniqueEmail('other');
    await registerUser(t.api, busy);
    await registerUser(t.api, other);

    for (let burst = 0; burst < 7; burst++) {
      const responses = await Promise.all(Array.from({ length: 40 }, () => logIn(office, busy)));
      // Parallel attempts beyond the per-account limit are refused (429) while the first ones are checked.
      expect(responses.every((response) => response.status === 200 || response.status === 429)).toBe(true);
      expect(responses.some((response) => response.status === 200)).toBe(true);
    }
    const response = await logIn(office, other);
    expect(response.status).toBe(200);
    expect(errorCodes(response)).toEqual([]);
  });
});

describe('refused attempts take no points', () => {
  it(`130 users logging in at once from one IP (limit ${FAILURES_PER_IP}): the refused ones succeed on retry, and no point stays`, async () => {
    const office = fromNewIp();
    const emails = Array.from({ length: 130 }, () => uniqueEmail('office'));
    for (let start = 0; start < emails.length; start += 10) {
      await Promise.all(emails.slice(start, start + 10).map((email) => registerUser(t.api, email)));
    }

    const first = await Promise.all(emails.map((email) => logIn(office, email)));
    expect(first.every((response) => response.status === 200 || response.status === 429)).toBe(true);
    const refused = emails.filter((_, index) => first[index]!.status === 429);

    const retried = await Promise.all(refused.map((email) => logIn(office, email)));
    expect(retried.map((response) => response.status)).toEqual(refused.map(() => 200));

    await expectFullFailureAllowance(office, FAILURES_PER_IP);
  });

  it('guesses refused by the per-account limit do not count against the IP', async () => {
    const attacker = fromNewIp();
    const email = uniqueEmail('target');
    await registerUser(t.api, email);
    for (let guess = 0; guess < FAILURES_PER_EMAIL_IP; guess++) {
      expect(errorCodes(await logIn(attacker, email, `guess-${guess}`))).toEqual(['UNAUTHENTICATED']);
    }
    for (let guess = 0; guess < 20; guess++) {
      expect(errorCodes(await logIn(attacker, email, `refused-${guess}`))).toEqual(['TOO_MANY_REQUESTS']);
    }
    // The 10 wrong passwords count against the IP; the 20 refused attempts do not.
    await expectFullFailureAllowance(attacker, FAILURES_PER_IP - FAILURES_PER_EMAIL_IP);
  });
});
