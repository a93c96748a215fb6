/**
 * Property-based fuzzing of the whole GraphQL surface over real HTTP, with fast-check.
 *
 * Random and malformed variables for every operation, random Authorization headers, tokens signed
 * with the server's own secret but with random claims, and random raw request bodies. Whatever comes
 * in, the server must never answer 500/503 or crash, and every error must carry an allowed
 * `extensions.code`. At the end the server must still answer and the database must be consistent.
 *
 * Each property runs 30 times, 120 when CI=true; FUZZ_RUNS=<n> sets the number. The file prints
 * the number it used, and the seed when FUZZ_SEED sets it.
 * Reproduce a failure with the seed fast-check prints: FUZZ_SEED=<seed> npx vitest run test/integration/fuzz.test.ts
 * (with FUZZ_RUNS, or CI=true, as in the failed run: the seed replays that many runs).
 */
import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GraphQLResponse } from '../helpers/graphql-client';
import { useTestServer } from '../helpers/fixture';
import { fuzzRuns, isCI } from '../helpers/fuzz-runs';
import {
  LOGIN,
  LOGOUT,
  LOGOUT_ALL,
  LOGOUT_DEVICE,
  ME,
  MY_LOGINS,
  PASSWORD,
  REGISTER,
  registerUser,
  uniqueEmail,
  type AuthPayloadView,
  type LoginView,
} from '../helpers/operations';
import { TEST_JWT_SECRET } from '../helpers/test-server';

const t = useTestServer();

const NUM_RUNS = fuzzRuns(30, 120);
const SEED = process.env['FUZZ_SEED'];
console.log(
  `fuzz: ${NUM_RUNS} runs per property (${process.env['FUZZ_RUNS'] ? 'FUZZ_RUNS' : isCI() ? 'CI' : 'local default; CI=true runs 120'})` +
    (SEED === undefined ? '' : `, seed ${SEED} (FUZZ_SEED)`),
);
/** Generous, so that a failing property has time to shrink its counterexample over HTTP. */
const PROPERTY_TIMEOUT = 180_000;
const runParameters = {
  numRuns: NUM_RUNS,
  // Stops a long shrink in time to report the smallest counterexample found so far (a pass takes seconds).
  interruptAfterTimeLimit: PROPERTY_TIMEOUT - 30_000,
  markInterruptAsFailure: true,
  ...(SEED === undefined ? {} : { seed: Number(SEED) }),
};

// ---------------------------------------------------------------------------------------------
// What an answer may be
// ---------------------------------------------------------------------------------------------

/** The contract's codes a client may get for bad input (never INTERNAL_SERVER_ERROR or SERVICE_UNAVAILABLE). */
const CONTRACT_CODES = ['UNAUTHENTICATED', 'BAD_USER_INPUT', 'NOT_FOUND', 'TOO_MANY_REQUESTS'];
/**
 * Apollo Server's own codes for a request it cannot run (its ApolloServerErrorCode minus
 * INTERNAL_SERVER_ERROR): an unparsable or invalid document, a malformed HTTP request, an
 * `operationName` that names no operation, and automatic persisted queries (on by default).
 */
const APOLLO_REQUEST_CODES = [
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
];
const ALLOWED_CODES: ReadonlySet<string> = new Set([...CONTRACT_CODES, ...APOLLO_REQUEST_CODES]);
/** Raw bodies may also be refused by the JSON body parser before GraphQL sees them. */
const ALLOWED_RAW_CODES: ReadonlySet<string> = new Set([...ALLOWED_CODES, 'PAYLOAD_TOO_LARGE']);

const show = (value: unknown, max = 600): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
};

/**
 * The shape every answer must have: an expected status; errors, when present, a non-empty list of
 * messages with allowed codes; without errors, a 200 with data.
 */
function expectWellFormed(
  response: GraphQLResponse<unknown>,
  statuses: readonly number[],
  codes: ReadonlySet<string> = ALLOWED_CODES,
): void {
  const context = `HTTP ${response.status}: ${show({ data: response.data, errors: response.errors })}`;
  expect(statuses, context).toContain(response.status);
  if (response.errors === undefined) {
    expect(response.status, context).toBe(200);
    expect(response.data, context).toBeTruthy();
    return;
  }
  expect(Array.isArray(response.errors), context).toBe(true);
  expect(response.errors.length, context).toBeGreaterThan(0);
  for (const error of response.errors) {
    expect(typeof error.message, context).toBe('string');
    expect([...codes], context).toContain(error.extensions?.code);
  }
  if (response.status !== 200) expect(response.data ?? null, context).toBeNull();
}

/** A resolver's BAD_USER_INPUT (HTTP 200, unlike Apollo's variable-coercion errors, HTTP 400) names its input. */
function expectFieldOnBadInput(response: GraphQLResponse<unknown>, fields: readonly string[]): void {
  if (response.status !== 200) return;
  for (const error of response.errors ?? []) {
    if (error.extensions?.code === 'BAD_USER_INPUT') expect(fields, show(error)).toContain(error.extensions['field']);
  }
}

const codesOf = (response: GraphQLResponse<unknown>) => (response.errors ?? []).map((error) => error.extensions?.code);

// ---------------------------------------------------------------------------------------------
// What the fuzzing wrote, to check the database against at the end
// ---------------------------------------------------------------------------------------------

const written = { users: 0, logins: 0 };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Counts every AuthPayload in a response's data (one login row each; a `register` one is also a user). */
function countWrites(data: unknown, key = ''): void {
  if (Array.isArray(data)) {
    for (const item of data) countWrites(item);
  } else if (isRecord(data)) {
    if (typeof data['token'] === 'string' && isRecord(data['login'])) {
      written.logins += 1;
      if (key === 'register') written.users += 1;
      return;
    }
    for (const [name, value] of Object.entries(data)) countWrites(value, name);
  }
}

async function freshUser(): Promise<AuthPayloadView> {
  const payload = await registerUser(t.api);
  written.users += 1;
  written.logins += 1;
  return payload;
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

const LONG = 5_000;

const specialStrings = fc.constantFrom(
  '',
  ' ',
  '\t\r\n',
  '\u0000',
  'a\u0000b@example.com',
  '\u200b',
  '\ufeff',
  '\ud800',
  'lone \udfff surrogate',
  '\u00a0a@example.com\u3000',
  '\u212a@example.com', // KELVIN SIGN, which lower-cases to an ASCII "k"
  '\u0130@example.com', // İ, which lower-cases to two code points
  'null',
  'undefined',
  'NaN',
  '__proto__',
  'constructor',
  "' or 1=1 --",
  "'); drop table users; --",
  '%s%s%s%n',
  '${7*7}{{7*7}}',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '\\',
  '"',
  '\u00e9'.repeat(36),
  '\u00e9'.repeat(37),
  'a'.repeat(72),
  'a'.repeat(73),
  '\u{1f600}'.repeat(18),
  '\u{1f600}'.repeat(19),
  `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}`,
  `${'a'.repeat(250)}@example.com`,
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
);

/** Strings of every kind: ASCII, any grapheme, any code point, very long ones, and known troublemakers. */
const text: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 80 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 80 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 500, maxLength: LONG, size: 'max' }).map((s) => s.slice(0, LONG)) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }), fc.integer({ min: 73, max: LONG }))
      .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length)),
  },
  { weight: 3, arbitrary: specialStrings },
);

/** Any JSON-serialisable value: scalars, edge numbers, nested objects and arrays. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, Number.MAX_SAFE_INTEGER, 2 ** 53 + 1, 1e308, -1e-308, 2 ** 31),
  text,
  fc.array(text, { maxLength: 3 }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.anything({ maxDepth: 3 }),
  fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
);

function emailLike(known: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.emailAddress() },
    { weight: 1, arbitrary: fc.emailAddress().map((email) => `  ${email.toUpperCase()}\t`) },
    { weight: 1, arbitrary: fc.tuple(text, fc.domain()).map(([local, domain]) => `${local}@${domain}`) },
    { weight: 1, arbitrary: fc.tuple(fc.emailAddress(), text).map(([email, junk]) => `${email}${junk}`) },
    { weight: 3, arbitrary: text },
    ...(known.length > 0
      ? [
          { weight: 4, arbitrary: fc.constantFrom(...known) },
          { weight: 1, arbitrary: fc.mixedCase(fc.constantFrom(...known)).map((email) => ` ${email} `) },
        ]
      : []),
  );
}

function passwordLike(known: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: text },
    { weight: 2, arbitrary: fc.string({ minLength: 8, maxLength: 72 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 8, maxLength: 24 }) },
    { weight: 2 + 2 * known.length, arbitrary: fc.constantFrom(PASSWORD, ...known) },
    { weight: 1, arbitrary: fc.constantFrom(PASSWORD, ...known).map((password) => `${password}${'x'.repeat(72)}`) },
  );
}

/** The `input` of register/login: good, bad, missing and extra fields, or not an object at all. */
function credentialsInput(emails: fc.Arbitrary<string>, passwords: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  const fields = fc.record(
    { email: fc.oneof({ weight: 4, arbitrary: emails }, { weight: 1, arbitrary: anyValue }), password: fc.oneof({ weight: 4, arbitrary: passwords }, { weight: 1, arbitrary: anyValue }) },
    { requiredKeys: [] },
  );
  return fc.oneof(
    { weight: 6, arbitrary: fields },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fields, fc.dictionary(text, anyValue, { minKeys: 1, maxKeys: 3 }))
        .map(([known, extra]) => ({ ...extra, ...known })),
    },
    { weight: 1, arbitrary: anyValue },
  );
}

/** Variables with `name` set to a generated value, sometimes with unknown extra variables, sometimes without it. */
function variablesWith(name: string, value: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
  return fc.oneof(
    { weight: 6, arbitrary: value.map((generated) => ({ [name]: generated })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(value, fc.dictionary(text, anyValue, { maxKeys: 3 }))
        .map(([generated, extra]) => ({ ...extra, [name]: generated })),
    },
    { weight: 1, arbitrary: fc.dictionary(text, anyValue, { maxKeys: 3 }) },
  );
}

/**
 * Characters fetch lets through in a header value (Latin-1 without control characters, plus tab),
 * so that the test exercises the server rather than the client library.
 */
const headerChar = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
  { weight: 1, arbitrary: fc.constant(0x09) },
  { weight: 2, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
).map((code) => String.fromCharCode(code));
const headerText = (maxLength: number, minLength = 0) =>
  fc.string({ unit: headerChar, minLength, maxLength, size: 'max' });

/** An optional random User-Agent (stored with the login, parsed into its device label) and X-Forwarded-For. */
const clientHeaders: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    'user-agent': fc.oneof(headerText(300), headerText(8_000, 1_000), fc.constantFrom('curl/8.5.0', 'Mozilla/5.0', '/', 'a/', '/1')),
    'x-forwarded-for': fc.oneof(headerText(100), fc.ipV4(), fc.ipV6()),
  },
  { requiredKeys: [] },
);

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ---------------------------------------------------------------------------------------------
// Users the properties act as
// ---------------------------------------------------------------------------------------------

/** Signed in for the whole file and never logged out: a revocation of its login would be a bug. */
let stable: AuthPayloadView;
/** The account the login property guesses at; its token is never used. */
let target: { email: string; password: string; payload: AuthPayloadView };

beforeAll(async () => {
  stable = await freshUser();
  const email = uniqueEmail('target');
  const password = 'target password \u00e9\u{1f511}';
  target = { email, password, payload: await registerUser(t.api, email, password) };
  written.users += 1;
  written.logins += 1;
});

async function expectTokenRefused(token: string): Promise<void> {
  const response = await t.api.request(ME, { token });
  expect(response.status).toBe(401);
  expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
}

async function expectStableStillSignedIn(): Promise<void> {
  const response = await t.api.request<{ me: { id: string } }>(ME, { token: stable.token });
  expect(response.status).toBe(200);
  expect(response.data?.me.id).toBe(stable.user.id);
}

type AuthMode = 'valid' | 'none' | 'garbage';
const authMode = fc.constantFrom<AuthMode>('valid', 'valid', 'none', 'garbage');
const tokenFor = (mode: AuthMode): { token?: string } =>
  mode === 'valid' ? { token: stable.token } : mode === 'garbage' ? { token: `${stable.token}x` } : {};

// ---------------------------------------------------------------------------------------------
// 1. Random variables for every operation
// ---------------------------------------------------------------------------------------------

describe('fuzz: random variables for every operation', () => {
  it('register never fails with anything but an allowed error', { timeout: PROPERTY_TIMEOUT }, async () => {
    const property = fc.asyncProperty(
      variablesWith('input', credentialsInput(emailLike([stable.user.email, target.email]), passwordLike([]))),
      clientHeaders,
      fc.boolean(),
      async (variables, headers, signedIn) => {
        const response = await t.api.request<{ register: AuthPayloadView }>(REGISTER, {
          variables,
          headers,
          ...(signedIn ? { token: stable.token } : {}),
        });
        expectWellFormed(response, [200, 400, 429]);
        expectFieldOnBadInput(response, ['email', 'password']);
        countWrites(response.data);
        const registered = response.data?.register;
        if (registered) {
          const input = variables['input'] as { email: string };
          expect(registered.user.email).toBe(input.email.trim().toLowerCase());
          // HTTP drops the spaces and tabs around a header value.
          const userAgent = (headers['user-agent'] ?? 'node').replace(/^[ \t]+|[ \t]+$/g, '');
          // Contract v2: a stored user agent is cut to its first 512 characters.
          expect(registered.login).toMatchObject({ current: true, revokedAt: null, userAgent: userAgent.slice(0, 512) });
        }
      },
    );
    await fc.assert(property, runParameters);
  });

  it('login never fails with anything but an allowed error', { timeout: PROPERTY_TIMEOUT }, async () => {
    const property = fc.asyncProperty(
      variablesWith('input', credentialsInput(emailLike([target.email]), passwordLike([target.password]))),
      clientHeaders,
      async (variables, headers) => {
        const response = await t.api.request<{ login: AuthPayloadView }>(LOGIN, { variables, headers });
        expectWellFormed(response, [200, 400, 429]);
        expectFieldOnBadInput(response, ['email']);
        countWrites(response.data);
        const loggedIn = response.data?.login;
        if (loggedIn) {
          const input = variables['input'] as { email: string; password: string };
          expect(loggedIn.user.email).toBe(input.email.trim().toLowerCase());
          expect(loggedIn.login.current).toBe(true);
        }
      },
    );
    await fc.assert(property, runParameters);
  });

  it('me ignores any variables and answers for the token', { timeout: PROPERTY_TIMEOUT }, async () => {
    const property = fc.asyncProperty(fc.dictionary(text, anyValue, { maxKeys: 4 }), authMode, async (variables, mode) => {
      const response = await t.api.request<{ me: { id: string } }>(ME, { variables, ...tokenFor(mode) });
      expectWellFormed(response, [200, 401]);
      if (mode === 'valid') expect(response.data?.me.id).toBe(stable.user.id);
      if (mode === 'none') expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
      if (mode === 'garbage') expect(response.status).toBe(401);
    });
    await fc.assert(property, runParameters);
  });

  it('myLogins takes any includeRevoked', { timeout: PROPERTY_TIMEOUT }, async () => {
    const property = fc.asyncProperty(
      variablesWith('includeRevoked', fc.oneof(fc.boolean(), anyValue, fc.constant(undefined))),
      authMode,
      async (variables, mode) => {
        const response = await t.api.request<{ myLogins: LoginView[] }>(MY_LOGINS, { variables, ...tokenFor(mode) });
        expectWellFormed(response, [200, 400, 401]);
        if (mode === 'garbage') expect(response.status).toBe(401);
        const includeRevoked = variables['includeRevoked'];
        if (mode === 'valid' && (includeRevoked === undefined || typeof includeRevoked === 'boolean')) {
          expect(response.status).toBe(200);
          const mine = response.data?.myLogins.find((login) => login.id === stable.login.id);
          expect(mine?.current).toBe(true);
        }
      },
    );
    await fc.assert(property, runParameters);
  });

  type LoginIdChoice = { kind: 'own' } | { kind: 'own-upper-case' } | { kind: 'other-user' } | { kind: 'value'; value: unknown };
  const loginIdChoice: fc.Arbitrary<LoginIdChoice> = fc.oneof(
    { weight: 1, arbitrary: fc.constant<LoginIdChoice>({ kind: 'own' }) },
    { weight: 1, arbitrary: fc.constant<LoginIdChoice>({ kind: 'own-upper-case' }) },
    { weight: 1, arbitrary: fc.constant<LoginIdChoice>({ kind: 'other-user' }) },
    {
      weight: 8,
      arbitrary: fc
        .oneof(
          fc.uuid(),
          fc.uuid().map((uuid) => uuid.toUpperCase()),
          fc.uuid().map((uuid) => `{${uuid}}`),
          fc.uuid().map((uuid) => uuid.replaceAll('-', '')),
          fc.uuid().map((uuid) => ` ${uuid}\n`),
          text,
          fc.integer(),
          fc.double(),
          fc.boolean(),
          fc.constant(null),
          anyValue,
        )
        .map((value): LoginIdChoice => ({ kind: 'value', value })),
    },
  );

  it('logoutDevice takes any loginId, and revokes only a login of the caller', { timeout: PROPERTY_TIMEOUT }, async () => {
    const property = fc.asyncProperty(loginIdChoice, fc.dictionary(text, anyValue, { maxKeys: 2 }), async (choice, extra) => {
      const user = await freshUser();
      const loginId =
        choice.kind === 'own'
          ? user.login.id
          : choice.kind === 'own-upper-case'
            ? user.login.id.toUpperCase()
            : choice.kind === 'other-user'
              ? stable.login.id
              : choice.value;
      const variables = { ...extra, loginId };
      const response = await t.api.request<{ logoutDevice: boolean }>(LOGOUT_DEVICE, { variables, token: user.token });
      expectWellFormed(response, [200, 400]);
      expectFieldOnBadInput(response, ['loginId']);

      if (choice.kind === 'own' || choice.kind === 'own-upper-case') {
        expect(response.data?.logoutDevice, show(response)).toBe(true);
        await expectTokenRefused(user.token);
      } else if (typeof loginId === 'string') {
        // A string is always coerced to an ID: a well-formed UUID is looked up, anything else is refused.
        expect(response.status).toBe(200);
        expect(codesOf(response)).toEqual([UUID_PATTERN.test(loginId) ? 'NOT_FOUND' : 'BAD_USER_INPUT']);
      }
      if (choice.kind === 'other-user') await expectStableStillSignedIn();
    });
    await fc.assert(property, runParameters);
  });

  it('logoutAll takes any keepCurrent', { timeout: PROPERTY_TIMEOUT }, async () => {
    const property = fc.asyncProperty(
      variablesWith('keepCurrent', fc.oneof(fc.boolean(), anyValue, fc.constant(undefined))),
      async (variables) => {
        const user = await freshUser();
        const response = await t.api.request<{ logoutAll: number }>(LOGOUT_ALL, { variables, token: user.token });
        expectWellFormed(response, [200, 400]);
        const keepCurrent = variables['keepCurrent'];
        if (keepCurrent === undefined || typeof keepCurrent === 'boolean') {
          expect(response.data?.logoutAll, show(response)).toBe(keepCurrent === true ? 0 : 1);
          if (keepCurrent === true) expect((await t.api.request(ME, { token: user.token })).status).toBe(200);
          else await expectTokenRefused(user.token);
        } else {
          expect(response.status).toBe(400);
        }
      },
    );
    await fc.assert(property, runParameters);
  });

  it('logout ignores any variables and revokes the current login', { timeout: PROPERTY_TIMEOUT }, async () => {
    const property = fc.asyncProperty(fc.dictionary(text, anyValue, { maxKeys: 4 }), clientHeaders, async (variables, headers) => {
      const user = await freshUser();
      const response = await t.api.request<{ logout: boolean }>(LOGOUT, { variables, headers, token: user.token });
      expectWellFormed(response, [200]);
      expect(response.data?.logout, show(response)).toBe(true);
      await expectTokenRefused(user.token);
    });
    await fc.assert(property, runParameters);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Random Authorization headers
// ---------------------------------------------------------------------------------------------

describe('fuzz: random Authorization headers', () => {
  const base64urlText = (maxLength: number) =>
    fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_='), maxLength });
  const jwtLike = fc.oneof(
    fc.tuple(base64urlText(60), base64urlText(200), base64urlText(60)).map((parts) => parts.join('.')),
    fc
      .tuple(fc.jsonValue({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 }), base64urlText(60))
      .map(([header, payload, signature]) => `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}.${signature}`),
    fc
      .tuple(fc.constantFrom('none', 'HS256', 'HS512', 'RS256', 'hs256'), fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('', 'sig'))
      .map(([alg, payload, signature]) => `${base64url(JSON.stringify({ alg, typ: 'JWT' }))}.${base64url(JSON.stringify(payload))}.${signature}`),
  );

  /** A header that is never the stable user's valid token: expect 401, or anonymous when blank. */
  const garbageHeader = fc.oneof(
    { weight: 3, arbitrary: headerText(200) },
    { weight: 3, arbitrary: headerText(200).map((garbage) => `Bearer ${garbage}`) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'Token', 'JWT', 'Bearer:', ''), fc.constantFrom(' ', '  ', '\t', ''), jwtLike)
        .map(([scheme, separator, token]) => `${scheme}${separator}${token}`),
    },
    { weight: 1, arbitrary: headerText(8_192, 4_000) },
    { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 8_185 }).map((length) => `Bearer ${'a'.repeat(length)}`) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '\t', '\u00a0', 'Bearer', 'Bearer ', 'Bearer null', 'Bearer undefined', 'Bearer ..', 'null') },
  );

  it('anything but a valid token is 401 UNAUTHENTICATED; a blank header is anonymous', { timeout: PROPERTY_TIMEOUT }, async () => {
    const property = fc.asyncProperty(garbageHeader, async (authorization) => {
      const response = await t.api.request<{ me: { id: string } }>('{ me { id } }', { headers: { authorization } });
      expectWellFormed(response, [200, 401]);
      // The server trims like String.prototype.trim (which also drops a no-break space): blank means no header.
      expect(response.status, show(authorization, 100)).toBe(authorization.trim() === '' ? 200 : 401);
      expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
    });
    await fc.assert(property, runParameters);
  });

  /** The valid token, with a random scheme and separator, or changed in one place. */
  type TokenVariant = { kind: 'framed'; scheme: string; separator: string } | { kind: 'mutated'; edit: 'replace' | 'insert' | 'delete' | 'truncate'; at: number; char: string };
  const nonSpaceChar = fc.oneof(fc.integer({ min: 0x21, max: 0x7e }), fc.integer({ min: 0xa1, max: 0xff })).map((code) => String.fromCharCode(code));
  const tokenVariant: fc.Arbitrary<TokenVariant> = fc.oneof(
    fc
      .record({ scheme: fc.oneof(fc.mixedCase(fc.constant('bearer')), fc.constantFrom('Bearer:', 'Bearerx', 'Beare', 'Basic')), separator: fc.constantFrom(' ', '   ', '\t', ' \t ', '') })
      .map((framing): TokenVariant => ({ kind: 'framed', ...framing })),
    fc
      .record({ edit: fc.constantFrom('replace' as const, 'insert' as const, 'delete' as const, 'truncate' as const), at: fc.nat(), char: nonSpaceChar })
      .map((mutation): TokenVariant => ({ kind: 'mutated', ...mutation })),
  );

  function apply(token: string, variant: TokenVariant): { header: string; valid: boolean } {
    if (variant.kind === 'framed') {
      const valid = /^bearer$/i.test(variant.scheme) && /^ +$/.test(variant.separator);
      return { header: `${variant.scheme}${variant.separator}${token}`, valid };
    }
    const at = variant.at % token.length;
    const changed =
      variant.edit === 'replace'
        ? `${token.slice(0, at)}${variant.char}${token.slice(at + 1)}`
        : variant.edit === 'insert'
          ? `${token.slice(0, at)}${variant.char}${token.slice(at)}`
          : variant.edit === 'delete'
            ? `${token.slice(0, at)}${token.slice(at + 1)}`
            : token.slice(0, at);
    return { header: `Bearer ${changed}`, valid: changed === token };
  }

  it('the valid token works only as "Bearer <token>" (scheme in any case) and only unchanged', { timeout: PROPERTY_TIMEOUT }, async () => {
    const property = fc.asyncProperty(tokenVariant, async (variant) => {
      const { header, valid } = apply(stable.token, variant);
      const response = await t.api.request<{ me: { id: string } }>('{ me { id } }', { headers: { authorization: header } });
      expectWellFormed(response, [200, 401]);
      if (valid) {
        expect(response.status, header).toBe(200);
        expect(response.data?.me.id).toBe(stable.user.id);
      } else {
        expect(response.status, header).toBe(401);
        expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
      }
    });
    await fc.assert(property, runParameters);
  });

  /** Signed with the server's own secret, so the signature check passes and the claims are what is tested. */
  function signed(header: unknown, payload: unknown, secret = TEST_JWT_SECRET): string {
    const input = `${base64url(JSON.stringify(header) ?? 'null')}.${base64url(JSON.stringify(payload) ?? 'null')}`;
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
  }

  it('a token signed with the secret but with random claims is 401', { timeout: PROPERTY_TIMEOUT }, async () => {
    const now = () => Math.floor(Date.now() / 1000);
    // Small values only: Node refuses headers over 16 KB (431) before the server sees them.
    const claimValue = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.double(),
      fc.string({ unit: 'binary', maxLength: 40 }),
      specialStrings,
      fc.jsonValue({ maxDepth: 2 }),
    );
    const idClaim = () =>
      fc.oneof(
        fc.uuid(),
        fc.uuid().map((uuid) => uuid.toUpperCase()),
        fc.constantFrom(stable.user.id, stable.login.id, target.payload.user.id, target.payload.login.id),
        claimValue,
      );
    const timeClaim = fc.oneof(
      fc.integer({ min: -1e6, max: 1e6 }).map((delta) => now() + delta),
      fc.constantFrom(0, -1, 1e308, Number.MAX_SAFE_INTEGER, 2 ** 53 + 1, 1.5, '9999999999'),
      claimValue,
    );
    const claims = fc
      .record({ sub: idClaim(), sid: idClaim(), iat: timeClaim, exp: timeClaim, nbf: timeClaim, extra: claimValue }, { requiredKeys: [] })
      // The one real pairing would be a genuine (forged-with-the-secret) session of its own: leave it out.
      .filter((payload) => !(payload.sid === stable.login.id && payload.sub === stable.user.id))
      .filter((payload) => !(payload.sid === target.payload.login.id && payload.sub === target.payload.user.id));
    const header = fc.oneof(
      { weight: 4, arbitrary: fc.constant({ alg: 'HS256', typ: 'JWT' }) },
      { weight: 1, arbitrary: fc.record({ alg: fc.oneof(fc.constantFrom('HS256', 'none', 'hs256', 'HS384'), claimValue), typ: claimValue, kid: claimValue, crit: claimValue }, { requiredKeys: [] }) },
      { weight: 1, arbitrary: claimValue },
    );
    const payload = fc.oneof({ weight: 5, arbitrary: claims }, { weight: 1, arbitrary: claimValue });

    const property = fc.asyncProperty(header, payload, async (jwtHeader, jwtPayload) => {
      const token = signed(jwtHeader, jwtPayload);
      const response = await t.api.request('{ me { id } }', { token });
      expectWellFormed(response, [401]);
      expect(codesOf(response), show({ jwtHeader, jwtPayload })).toEqual(['UNAUTHENTICATED']);
    });
    await fc.assert(property, runParameters);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Random raw request bodies
// ---------------------------------------------------------------------------------------------

describe('fuzz: random raw request bodies', () => {
  interface RawResponse {
    status: number;
    contentType: string | null;
    text: string;
  }

  async function postRaw(body: string | Uint8Array, headers: Record<string, string>): Promise<RawResponse> {
    const response = await fetch(t.server.url, { method: 'POST', headers, body });
    return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
  }

  const OPERATIONS = [REGISTER, LOGIN, ME, MY_LOGINS, LOGOUT, LOGOUT_DEVICE, LOGOUT_ALL, '{ __typename }', '{ __schema { queryType { name } } }'];
  /** A request each operation could get, with inputs that can never succeed (so no rows are written). */
  const validRequest = fc.record({
    query: fc.constantFrom(...OPERATIONS),
    variables: fc.constantFrom<unknown>(
      { input: { email: 'not an email', password: 'nope' } },
      { loginId: '00000000-0000-4000-8000-000000000000' },
      { includeRevoked: true },
      { keepCurrent: false },
      {},
    ),
  });

  /** A GraphQL document changed in a few places: syntax errors, unknown fields, wrong arguments. */
  const mutatedQuery = fc
    .tuple(fc.constantFrom(...OPERATIONS), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.string({ unit: 'binary', maxLength: 3 })), { minLength: 1, maxLength: 4 }))
    .map(([query, edits]) =>
      edits.reduce((document, [position, removed, inserted]) => {
        const at = position % (document.length + 1);
        return `${document.slice(0, at)}${inserted}${document.slice(at + removed)}`;
      }, query),
    );

  const queryLike = fc.oneof(fc.constantFrom(...OPERATIONS), mutatedQuery, text, anyValue);

  const body: fc.Arbitrary<string | Uint8Array> = fc.oneof(
    { weight: 2, arbitrary: text },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
    { weight: 2, arbitrary: fc.constantFrom('', '{}', '[]', 'null', '42', '"query"', '{"query": 42}', '{"query": null}', '{"query": ""}', '{"query": "{ __typename }", "variables": "x"}', '{"query": "{ __typename }", "variables": []}', '{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}}', '[{"query": "{ __typename }"}]', '{"query": "{ __typename }", "operationName": "Nope"}', '{"query": "query A { __typename } query B { __typename }"}', '{"__proto__": {"query": "{ __typename }"}}', '\ufeff{"query": "{ __typename }"}') },
    {
      weight: 4,
      arbitrary: fc
        .record({ query: queryLike, variables: anyValue, operationName: anyValue, extensions: anyValue }, { requiredKeys: [] })
        .map((request) => JSON.stringify(request)),
    },
    { weight: 3, arbitrary: fc.tuple(validRequest, fc.dictionary(text, anyValue, { maxKeys: 2 })).map(([request, extra]) => JSON.stringify({ ...extra, ...request, query: request.query })) },
    {
      weight: 2,
      arbitrary: fc.tuple(validRequest, fc.nat()).map(([request, cut]) => {
        const json = JSON.stringify(request);
        return json.slice(0, cut % json.length);
      }),
    },
    { weight: 3, arbitrary: fc.tuple(mutatedQuery, validRequest).map(([query, request]) => JSON.stringify({ ...request, query })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2_000 }) },
    // Deep nesting: of the JSON itself, of a variable, and of the GraphQL document.
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 100_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`) },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 1, max: 100_000 })
        .map((depth) => `{"query": ${JSON.stringify(REGISTER)}, "variables": {"input": {"email": ${'['.repeat(depth)}${']'.repeat(depth)}, "password": "x"}}}`),
    },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 100_000 }).map((depth) => JSON.stringify({ query: `${'{ me '.repeat(depth)}${'}'.repeat(depth)}` })) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 20_000 }).map((count) => JSON.stringify({ query: `{ ${Array.from({ length: count }, (_, i) => `a${i}: __typename`).join(' ')} }` })) },
    // Over the 1 MB limit.
    { weight: 1, arbitrary: fc.integer({ min: 1_048_577, max: 1_100_000 }).map((size) => JSON.stringify({ query: `#${'x'.repeat(size)}\n{ __typename }` })) },
  );

  const contentType = fc.oneof(
    { weight: 12, arbitrary: fc.constant('application/json') },
    { weight: 1, arbitrary: fc.constantFrom('application/json; charset=utf-8', 'application/json; charset=UTF-16LE', 'application/json; charset=latin1', 'application/json; charset=bogus', 'application/json; boundary=x; charset="utf-8"') },
  );
  const accept = fc.oneof(
    { weight: 8, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom('application/json', 'application/graphql-response+json', '*/*', 'text/html', 'text/event-stream', 'multipart/mixed; deferSpec=20220824') },
  );

  const acceptsJson = (header: string | undefined) => header === undefined || /json|\*\/\*/.test(header);

  it('never get a 500, and every error is JSON with an allowed code', { timeout: PROPERTY_TIMEOUT }, async () => {
    const property = fc.asyncProperty(body, contentType, accept, async (payload, type, acceptHeader) => {
      const headers: Record<string, string> = { 'content-type': type, ...(acceptHeader ? { accept: acceptHeader } : {}) };
      const response = await postRaw(payload, headers);
      const context = `HTTP ${response.status} (${response.contentType}) for ${type} body ${show(typeof payload === 'string' ? payload : `<${payload.length} bytes>`, 300)}: ${response.text.slice(0, 600)}`;
      // 415: a charset the body parser cannot decode; 406: an Accept header that allows no JSON.
      const statuses = [200, 400, 413, ...(type === 'application/json' ? [] : [415]), ...(acceptsJson(acceptHeader) ? [] : [406])];
      expect(statuses, context).toContain(response.status);
      expect(response.contentType ?? '', context).toMatch(/^application\/(graphql-response\+)?json\b/);
      let parsed: unknown;
      expect(() => (parsed = JSON.parse(response.text)), context).not.toThrow();
      expect(isRecord(parsed), context).toBe(true);
      const { data, errors } = parsed as { data?: unknown; errors?: GraphQLResponse['errors'] };
      countWrites(data);
      expectWellFormed({ status: response.status, data, ...(errors === undefined ? {} : { errors }) }, statuses, ALLOWED_RAW_CODES);
    });
    await fc.assert(property, runParameters);
  });

  /**
   * Automatic persisted queries are on (Apollo's default): a request may carry
   * `extensions.persistedQuery` with a SHA-256 of its query, to register it or to run it by hash alone.
   * Apollo refuses a hash that does not match the query, or a version other than 1, with a GraphQLError
   * without a code, which reaches the client as HTTP 400 INTERNAL_SERVER_ERROR (and the server log as an
   * "unexpected error"): this property fails until the server gives those a request-shape code.
   */
  type HashChoice = { kind: 'right' } | { kind: 'value'; value: unknown };
  const persistedQueryRequest = fc.record(
    {
      query: fc.oneof(fc.constantFrom(...OPERATIONS), mutatedQuery, text, anyValue),
      variables: fc.constantFrom<unknown>({ includeRevoked: true }, { input: { email: 'not an email', password: 'nope' } }),
      version: fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: anyValue }),
      hash: fc.oneof(
        { weight: 2, arbitrary: fc.constant<HashChoice>({ kind: 'right' }) },
        {
          weight: 3,
          arbitrary: fc
            .oneof(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }), text, anyValue)
            .map((value): HashChoice => ({ kind: 'value', value })),
        },
      ),
      persistedQuery: fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: anyValue }),
    },
    { requiredKeys: ['hash', 'version'] },
  );

  it('automatic persisted queries: any extensions.persistedQuery gets an allowed code', { timeout: PROPERTY_TIMEOUT }, async () => {
    const property = fc.asyncProperty(persistedQueryRequest, async ({ query, variables, version, hash, persistedQuery }) => {
      const sha256Hash = hash.kind === 'right' && typeof query === 'string' ? createHash('sha256').update(query).digest('hex') : hash.kind === 'value' ? hash.value : 'not-a-hash';
      const request = { query, variables, extensions: { persistedQuery: persistedQuery ?? { version, sha256Hash } } };
      const response = await postRaw(JSON.stringify(request), { 'content-type': 'application/json' });
      const context = `HTTP ${response.status} for ${show(request, 400)}: ${response.text.slice(0, 400)}`;
      expect([200, 400], context).toContain(response.status);
      let parsed: unknown;
      expect(() => (parsed = JSON.parse(response.text)), context).not.toThrow();
      const { data, errors } = parsed as { data?: unknown; errors?: GraphQLResponse['errors'] };
      countWrites(data);
      expectWellFormed({ status: response.status, data, ...(errors === undefined ? {} : { errors }) }, [200, 400]);
    });
    await fc.assert(property, runParameters);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Afterwards
// ---------------------------------------------------------------------------------------------

describe('after the fuzzing', () => {
  it('the server still answers, and the stable user is still signed in', async () => {
    const response = await t.api.request('{ __typename }');
    expect(response).toEqual({ status: 200, data: { __typename: 'Query' } });
    const health = await fetch(new URL('/healthz', t.server.url));
    expect(health.status).toBe(200);
    await expectStableStillSignedIn();
  });

  it('the database is consistent with what the API answered', async () => {
    const count = async (sql: string) => Number((await t.db.query<{ count: string }>(sql))[0]?.count);

    expect(await count('select count(*) from user_logins where (revoked_at is null) <> (revoked_reason is null)')).toBe(0);
    expect(await count('select count(*) from user_logins where revoked_at < created_at or expires_at <= created_at or last_seen_at < created_at')).toBe(0);
    expect(await count('select count(*) from users where email <> lower(btrim(email))')).toBe(0);
    expect(await count('select count(*) from (select lower(email) from users group by 1 having count(*) > 1) duplicates')).toBe(0);
    expect(
      await count(
        'select count(*) from (select 1 from user_logins where revoked_at is null group by user_id, ip_address, user_agent having count(*) > 1) duplicates',
      ),
    ).toBe(0);
    // Every AuthPayload the API returned is one login row (and a register one a user row); nothing else wrote any.
    expect(await count('select count(*) from users')).toBe(written.users);
    expect(await count('select count(*) from user_logins')).toBe(written.logins);
  });
});
