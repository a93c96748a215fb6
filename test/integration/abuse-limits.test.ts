import { describe, expect, it } from 'vitest';
import { errorCodes } from '../helpers/graphql-client';
import { useTestServer } from '../helpers/fixture';
import { LOGIN, PASSWORD, REGISTER, registerUser, uniqueEmail } from '../helpers/operations';

const FAILURES_PER_EMAIL_IP = 10;
const t = useTestServer({
  RATE_LIMIT_LOGIN_FAILURES_PER_EMAIL_IP: String(FAILURES_PER_EMAIL_IP),
  RATE_LIMIT_LOGIN_FAILURES_PER_IP: '100',
  RATE_LIMIT_REGISTRATIONS_PER_IP: '40',
});

// Each test acts from client IPs of its own: X-Forwarded-For is not trusted here, so the test
// connects from other loopback addresses (any 127.x.y.z is this machine).
let nextHost = 0;
function fromNewIp() {
  nextHost += 1;
  return t.api.fromIp(`127.0.${Math.floor(nextHost / 250) + 1}.${(nextHost % 250) + 2}`);
}

describe('password guessing', () => {
  it(`is stopped after ${FAILURES_PER_EMAIL_IP} failures for one account, with 429 and retryAfter, even for the right password`, async () => {
    const api = fromNewIp();
    const email = uniqueEmail();
    await registerUser(api, email);

    for (let attempt = 1; attempt <= FAILURES_PER_EMAIL_IP; attempt++) {
      const response = await api.request(LOGIN, { variables: { input: { email, password: `guess-${attempt}` } } });
      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    }
    const blocked = await api.request(LOGIN, { variables: { input: { email, password: PASSWORD } } });
    expect(blocked.status).toBe(429);
    expect(errorCodes(blocked)).toEqual(['TOO_MANY_REQUESTS']);
    const retryAfter = blocked.errors?.[0]?.extensions?.['retryAfter'];
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
  });

  it('does not block the same account from another IP address', async () => {
    const attacker = fromNewIp();
    const owner = fromNewIp();
    const email = uniqueEmail();
    await registerUser(owner, email);
    for (let attempt = 0; attempt <= FAILURES_PER_EMAIL_IP; attempt++) {
      await attacker.request(LOGIN, { variables: { input: { email, password: 'wrong guess' } } });
    }
    expect((await attacker.request(LOGIN, { variables: { input: { email, password: PASSWORD } } })).status).toBe(429);
    expect((await owner.request(LOGIN, { variables: { input: { email, password: PASSWORD } } })).status).toBe(200);
  });

  it('counts only failures: a successful login clears the count for that account', async () => {
    const api = fromNewIp();
    const email = uniqueEmail();
    await registerUser(api, email);
    for (let round = 0; round < 3; round++) {
      for (let attempt = 0; attempt < FAILURES_PER_EMAIL_IP - 1; attempt++) {
        await api.request(LOGIN, { variables: { input: { email, password: 'typo typo' } } });
      }
      expect(errorCodes(await api.request(LOGIN, { variables: { input: { email, password: PASSWORD } } }))).toEqual([]);
    }
  });

  it('cannot be parallelised past the limit: of 30 simultaneous guesses, at most 10 are checked', async () => {
    const api = fromNewIp();
    const email = uniqueEmail();
    await registerUser(api, email);
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, guess) => api.request(LOGIN, { variables: { input: { email, password: `parallel-${guess}` } } })),
    );
    const codes = responses.map((response) => errorCodes(response)[0]);
    expect(codes.filter((code) => code === 'UNAUTHENTICATED')).toHaveLength(FAILURES_PER_EMAIL_IP);
    expect(codes.filter((code) => code === 'TOO_MANY_REQUESTS')).toHaveLength(30 - FAILURES_PER_EMAIL_IP);
  });

  it('is refused when aliased: one operation with 30 login fields never runs', async () => {
    const api = fromNewIp();
    const email = uniqueEmail();
    await registerUser(api, email);
    const fields = Array.from(
      { length: 30 },
      (_, guess) => `g${guess}: login(input: { email: "${email}", password: "alias-guess-${guess}" }) { token }`,
    );
    const response = await api.request(`mutation { ${fields.join('\n')} }`);
    expect(response.status).toBe(400);
    expect(errorCodes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(response.errors?.[0]?.message).toMatch(/Aliases limit of 5 exceeded/);
    // Nothing ran, so nothing was counted: the right password still works at once.
    expect((await api.request(LOGIN, { variables: { input: { email, password: PASSWORD } } })).status).toBe(200);
  });
});

describe('an office behind one IP address', () => {
  it('logs in 20 different users at once', async () => {
    const office = fromNewIp();
    const emails = Array.from({ length: 20 }, () => uniqueEmail('office'));
    for (const email of emails) await registerUser(office, email);
    const responses = await Promise.all(
      emails.map((email) => office.request(LOGIN, { variables: { input: { email, password: PASSWORD } } })),
    );
    expect(responses.map((response) => response.status)).toEqual(emails.map(() => 200));
  });
});

describe('registration', () => {
  it('is limited per IP address', async () => {
    const api = fromNewIp();
    const statuses: number[] = [];
    for (let registration = 0; registration < 41; registration++) {
      statuses.push((await api.request(REGISTER, { variables: { input: { email: uniqueEmail(), password: PASSWORD } } })).status);
    }
    expect(statuses.slice(0, 40).every((status) => status === 200)).toBe(true);
    expect(statuses[40]).toBe(429);
  });
});

describe('the counters', () => {
  it('live in PostgreSQL, so a restart or another instance sees them', async () => {
    const rows = await t.db.query<{ key: string }>('select key from rate_limits');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => !row.key.includes('@'))).toBe(true);
  });
});

describe('GraphQL abuse', () => {
  it('refuses deep operations', async () => {
    const deep = `{ me { id ${'... on User { id '.repeat(10)}${'}'.repeat(10)} } }`;
    const response = await t.api.request(deep);
    expect(response.status).toBe(400);
    expect(errorCodes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('refuses operations with too many tokens', async () => {
    const response = await t.api.request(`{ ${'__typename '.repeat(1200)} }`);
    expect(response.status).toBe(400);
    expect(errorCodes(response)).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(response.errors?.[0]?.message).toMatch(/more th(at|an) 1000 tokens/);
  });

  it('still allows a full introspection query, as playgrounds and code generators send', async () => {
    const { getIntrospectionQuery } = await import('graphql');
    const response = await t.api.request(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }));
    expect(response.status).toBe(200);
    expect(response.errors).toBeUndefined();
  });

  it('refuses batched operations with 400', async () => {
    const response = await fetch(t.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/batching/i);
  });

  it('answers a body over 1 MB with 413 and malformed JSON with 400, in JSON, without a stack trace', async () => {
    const huge = await fetch(t.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(1_100_000) } }),
    });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toEqual({ errors: [{ message: 'The request body is larger than 1 MB.', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });

    const malformed = await fetch(t.server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(malformed.status).toBe(400);
    const text = await malformed.text();
    expect(JSON.parse(text)).toEqual({ errors: [{ message: 'The request body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } }] });
    expect(text).not.toMatch(/at \w+ \(/);
  });

  it('keeps CSRF prevention on: a simple GET query without a preflight header is refused', async () => {
    const url = new URL(t.server.url);
    url.searchParams.set('query', '{ __typename }');
    const refused = await fetch(url, { headers: { 'content-type': 'text/plain' } });
    expect(refused.status).toBe(400);
    const allowed = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    expect(allowed.status).toBe(200);
  });
});
