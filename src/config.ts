import { createPrivateKey } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { bool, cleanEnv, makeValidator, str, type ReporterOptions } from 'envalid';
import ms from 'ms';

export type NodeEnv = 'development' | 'production' | 'test';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
/** `json`: one JSON object per line, for machines; `pretty`: coloured lines for a developer's terminal. */
export type LogFormat = 'json' | 'pretty';

/**
 * What is between DATABASE_URL and PostgreSQL. `none`: PostgreSQL itself, or a pooler in session mode
 * (each client keeps one server connection). `transaction`: a pooler in transaction mode (PgBouncer's
 * `pool_mode = transaction`), which hands each transaction, or each statement outside one, to any
 * server connection: no named prepared statements, no startup parameters, no session state there.
 */
export type DatabasePooler = 'none' | 'transaction';

export type DatabaseConfig =
  | {
      readonly kind: 'url';
      readonly url: string;
      readonly pooler: DatabasePooler;
      /**
       * A connection that keeps session state: migrations and their lock, and the job queue (it LISTENs
       * and holds session locks). MIGRATION_DATABASE_URL; else, behind a transaction pooler,
       * LISTEN_DATABASE_URL; else `url`.
       */
      readonly directUrl: string;
    }
  | { readonly kind: 'embedded'; readonly dataDir: string };

/** At most `points` events per `windowSeconds`, per key. */
export interface RateLimit {
  readonly points: number;
  readonly windowSeconds: number;
}

export interface RateLimits {
  /** Failed logins for one email address from one IP address: stops guessing one password. */
  readonly loginFailuresPerEmailAndIp: RateLimit;
  /** Failed logins from one IP address, whatever the email: stops spraying many accounts. */
  readonly loginFailuresPerIp: RateLimit;
  readonly registrationsPerIp: RateLimit;
}

/** The bcrypt work of sign-ins, checked and waiting, at once (see BcryptQueue). */
export interface BcryptQueueLimits {
  readonly total: number;
  readonly perAccount: number;
  readonly perIp: number;
}

/** Live login activity: GraphQL subscriptions over WebSocket, fed by PostgreSQL LISTEN/NOTIFY. */
export interface SubscriptionConfig {
  /** Where the LISTEN connection goes; null for the server's own database. */
  readonly listenDatabaseUrl: string | null;
  /** Open WebSocket connections, and open subscriptions, per user on one server instance. */
  readonly maxPerUser: number;
  /** How long a new WebSocket may take to send connection_init. */
  readonly initTimeoutMs: number;
  /** The largest WebSocket message the server reads. */
  readonly maxMessageBytes: number;
  /** How often every open connection's session is checked against the database again. */
  readonly recheckIntervalMs: number;
  /** Messages one socket may send: a token bucket (per second, and how many at once). */
  readonly socketMessages: MessageRate;
  /** Messages one user may send across all their sockets on this instance. */
  readonly userMessages: MessageRate;
}

/** A token bucket: `burst` messages at once, refilled at `perSecond`. */
export interface MessageRate {
  readonly perSecond: number;
  readonly burst: number;
}

/** How tokens are signed and checked; the algorithm is pinned, a token of the other one is refused. */
export type JwtConfig =
  | {
      readonly algorithm: 'HS256';
      readonly secret: string;
      /** Still accepted for verification while tokens signed with it live out their lifetime (key rotation). */
      readonly previousSecret: string | null;
      /** True when no JWT_SECRET was given outside production and the fixed development secret is used. */
      readonly usesInsecureDefaultSecret: boolean;
      readonly ttlSeconds: number;
    }
  | {
      readonly algorithm: 'ES256';
      /** JWT_PRIVATE_KEY (PEM, PKCS#8, P-256); outside production without it, a key generated once and kept in `file`. */
      readonly privateKey: { readonly kind: 'pem'; readonly pem: string } | { readonly kind: 'development'; readonly file: string };
      /** JWT_PRIVATE_KEY_PREVIOUS: verifies (never signs) and stays in the JWKS during a rotation. */
      readonly previousPrivateKey: string | null;
      /** Never: there is no shared secret (kept so that the start-up warning reads one field). */
      readonly usesInsecureDefaultSecret: false;
      readonly ttlSeconds: number;
    };

export type Es256JwtConfig = Extract<JwtConfig, { algorithm: 'ES256' }>;

/** New-sign-in emails: where they go out, and as whom. */
export type MailConfig =
  /** Through SMTP (`SMTP_URL`). */
  | { readonly kind: 'smtp'; readonly url: string; readonly from: string }
  /** Development without SMTP_URL: each email (with its link) is written to the log instead. */
  | { readonly kind: 'log'; readonly from: string }
  /** No emails: NEW_DEVICE_ALERTS=false, or production without SMTP_URL (the server warns once at start). */
  | { readonly kind: 'off'; readonly reason: 'disabled' | 'no-smtp-in-production' };

/** Standard Webhooks: every security event POSTed to `url`, signed with `secret` (WEBHOOK_SECRET's bytes, after `whsec_`). */
export interface WebhookConfig {
  readonly url: string;
  readonly secret: Buffer;
}

export interface Config {
  readonly nodeEnv: NodeEnv;
  readonly port: number;
  readonly host: string;
  readonly database: DatabaseConfig;
  readonly jwt: JwtConfig;
  readonly bcryptCost: number;
  /** Worker threads that run bcrypt; 0 runs it on the main thread. */
  readonly bcryptWorkers: number;
  readonly bcryptQueue: BcryptQueueLimits;
  /** Beyond this many active logins per user, the oldest are revoked. */
  readonly maxActiveLogins: number;
  /** Revoked logins older than this are deleted. */
  readonly historyRetentionSeconds: number;
  /** A login unused this long is revoked (IDLE_TIMEOUT); 0: never. */
  readonly sessionIdleTimeoutSeconds: number;
  readonly rateLimits: RateLimits;
  readonly subscriptions: SubscriptionConfig;
  readonly trustProxy: number;
  /**
   * After SIGTERM, how long /healthz answers 503 while everything else is still served, before the
   * server stops accepting: the time a load balancer's health check needs to stop routing here. 0: none.
   */
  readonly shutdownDelaySeconds: number;
  /**
   * How long an idle keep-alive connection stays open (Node's default, 5 s). A load balancer's own
   * idle timeout towards the server must be shorter, so that it, not the server, closes idle
   * connections (a server closing one races the proxy's next request on it).
   */
  readonly keepAliveTimeoutMs: number;
  /**
   * Run the job queue's worker here (mail and webhook deliveries). False: this instance only adds
   * jobs, and others deliver them, so it opens no job-queue connections (docs/scaling.md).
   */
  readonly jobWorker: boolean;
  /** The MaxMind-format .mmdb to read locations from; null for the shipped GeoLite2 City databases. */
  readonly geoipDatabase: string | null;
  readonly mail: MailConfig;
  /** The base of links in emails (no trailing slash); null: `http://HOST:PORT` of this server once it listens. */
  readonly publicUrl: string | null;
  /** WEBHOOK_URL and WEBHOOK_SECRET; null when neither is set. */
  readonly webhooks: WebhookConfig | null;
  readonly logLevel: LogLevel;
  /** Serve the GraphiQL playground to browsers at GET /graphql. */
  readonly playground: boolean;
  readonly logFormat: LogFormat;
  /** Prometheus text at GET /metrics on a listener of its own (METRICS_PORT, METRICS_HOST); null: off. */
  readonly metrics: MetricsConfig | null;
}

/** Where the metrics listener listens; port 0: any free port (RunningServer.metricsUrl says which). */
export interface MetricsConfig {
  readonly port: number;
  readonly host: string;
}

export const MIN_JWT_SECRET_LENGTH = 32;
/** Also stated in the schema's description of RevokeReason.LOGIN_LIMIT. */
export const DEFAULT_MAX_ACTIVE_LOGINS = 100;

/** Publicly known, so only ever used outside production, and always with a warning. */
const INSECURE_DEVELOPMENT_SECRET = 'insecure-development-secret-do-not-use-in-production';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function integerIn(min: number, max: number) {
  return makeValidator<number>((input) => {
    const value = Number(input);
    if (!/^\d+$/.test(input.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new Error(`must be an integer from ${min} to ${max}, got "${input}"`);
    }
    return value;
  });
}

/** Whole seconds of a duration of at least 1 s with a unit ("30d", "12h", "900s"); undefined for anything else. */
function secondsOf(input: string): number | undefined {
  // A bare number is ambiguous (jsonwebtoken reads it as seconds, ms as milliseconds): require a unit.
  const milliseconds = /^\d+(\.\d+)?\s*[a-z]+$/i.test(input.trim()) ? ms(input.trim() as ms.StringValue) : undefined;
  if (milliseconds === undefined || !Number.isFinite(milliseconds) || milliseconds < 1000) return undefined;
  return Math.floor(milliseconds / 1000);
}

const durationInSeconds = makeValidator<number>((input) => {
  const seconds = secondsOf(input);
  if (seconds === undefined) throw new Error(`must be a duration of at least 1s with a unit, such as 30d, 12h or 900s, got "${input}"`);
  return seconds;
});

/** SESSION_IDLE_TIMEOUT: a duration like the others, or `0` for off. */
const durationInSecondsOrOff = makeValidator<number>((input) => {
  const seconds = input.trim() === '0' ? 0 : secondsOf(input);
  if (seconds === undefined) throw new Error(`must be 0 (off) or a duration of at least 1s with a unit, such as 14d, 8h or 900s, got "${input}"`);
  return seconds;
});

/**
 * The URL, if it parses and its scheme is one of the two; else why not, with `example` of a good one.
 * The input is not echoed: a database or SMTP URL may hold a password.
 */
function urlWithScheme(input: string, [first, second]: readonly [string, string], example: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(input);
  } catch {
    throw new Error(`must be a URL such as ${example}`);
  }
  if (parsed.protocol !== `${first}:` && parsed.protocol !== `${second}:`) {
    throw new Error(`must start with ${first}:// or ${second}://, got "${parsed.protocol}//"`);
  }
  return parsed;
}

const postgresUrl = makeValidator<string>((input) => {
  urlWithScheme(input, ['postgres', 'postgresql'], 'postgres://user:pass@host:5432/db');
  return input;
});

const httpUrl = makeValidator<string>((input) => {
  // A public URL holds no secret: the bad value is quoted back.
  const parsed = urlWithScheme(input, ['http', 'https'], `https://accounts.example.com, got "${input}"`);
  if (parsed.search || parsed.hash) throw new Error('must have no query string or fragment');
  return input.replace(/\/+$/, '');
});

const smtpUrl = makeValidator<string>((input) => {
  urlWithScheme(input, ['smtp', 'smtps'], 'smtp://user:pass@mail.example.com:587 or smtps://…');
  return input;
});

const webhookUrl = makeValidator<string>((input) => {
  // Not quoted back: a receiver's URL may carry a token in its query.
  urlWithScheme(input, ['http', 'https'], 'https://hooks.example.com/login-activity');
  return input;
});

/** The Standard Webhooks spec's bounds on a secret's length. */
const WEBHOOK_SECRET_BYTES = { min: 24, max: 64 } as const;

/** `whsec_` + base64 (standard alphabet, padded) of 24 to 64 bytes; never echoed. */
const webhookSecret = makeValidator<Buffer>((input) => {
  const problem = `must be whsec_ followed by the base64 of ${WEBHOOK_SECRET_BYTES.min} to ${WEBHOOK_SECRET_BYTES.max} random bytes`;
  const encoded = input.startsWith('whsec_') ? input.slice('whsec_'.length) : null;
  if (encoded === null || !/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) throw new Error(problem);
  const secret = Buffer.from(encoded, 'base64');
  if (secret.length < WEBHOOK_SECRET_BYTES.min || secret.length > WEBHOOK_SECRET_BYTES.max) throw new Error(`${problem}, got ${secret.length} bytes`);
  return secret;
});

const jwtSecret = makeValidator<string>((input) => {
  if (input.length < MIN_JWT_SECRET_LENGTH) {
    throw new Error(`must be at least ${MIN_JWT_SECRET_LENGTH} characters long, got ${input.length}`);
  }
  return input;
});

/**
 * A PEM PKCS#8 P-256 private key, with literal `\n` read as newlines (env files often carry them);
 * what is wrong is said, the key never echoed. Empty counts as unset (env templates leave it so).
 */
const es256PrivateKey = makeValidator<string>((input) => {
  const pem = input.replace(/\\n/g, '\n').replace(/\r\n/g, '\n').trim();
  if (pem === '') return '';
  if (pem.includes('-----BEGIN EC PRIVATE KEY-----')) {
    throw new Error('must be PKCS#8 ("BEGIN PRIVATE KEY"), got a SEC1 EC key: convert it with openssl pkcs8 -topk8 -nocrypt');
  }
  if (!/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----$/.test(pem)) {
    throw new Error('must be an unencrypted PEM private key (PKCS#8, "-----BEGIN PRIVATE KEY-----") on P-256');
  }
  const key = (() => {
    try {
      return createPrivateKey(pem);
    } catch {
      return null;
    }
  })();
  if (key === null) throw new Error('does not parse as a PEM private key (PKCS#8)');
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType !== 'ec' || curve !== 'prime256v1') {
    throw new Error(`must be an EC key on P-256, got ${key.asymmetricKeyType ?? 'another type'}${curve ? ` on ${curve}` : ''}`);
  }
  return pem;
});

function collectProblems({ errors }: ReporterOptions<Record<string, unknown>>, env: NodeJS.ProcessEnv): void {
  const problems = Object.entries(errors).map(([name, error]) => `${name} ${error instanceof Error ? error.message : String(error)}`);
  const es256 = env['JWT_ALGORITHM'] === 'ES256';
  if (env['NODE_ENV'] === 'production' && es256 && !env['JWT_PRIVATE_KEY']?.trim()) {
    problems.push('JWT_PRIVATE_KEY is required when NODE_ENV=production and JWT_ALGORITHM=ES256 (a PEM PKCS#8 P-256 private key)');
  }
  // A key given without ES256 would be silently unused while tokens are signed with JWT_SECRET.
  for (const name of ['JWT_PRIVATE_KEY', 'JWT_PRIVATE_KEY_PREVIOUS']) {
    if (!es256 && env[name]?.trim()) problems.push(`${name} is only used with JWT_ALGORITHM=ES256: set that, or unset ${name}`);
  }
  if (env['NODE_ENV'] === 'production' && !es256 && !env['JWT_SECRET']) {
    problems.push(`JWT_SECRET is required when NODE_ENV=production (at least ${MIN_JWT_SECRET_LENGTH} characters)`);
  }
  const pooled = env['DATABASE_POOLER'] === 'transaction';
  if (pooled && !env['DATABASE_URL']) problems.push('DATABASE_POOLER=transaction needs DATABASE_URL (the embedded database has no pooler)');
  if (pooled && env['DATABASE_URL'] && !env['LISTEN_DATABASE_URL']) {
    problems.push(
      'DATABASE_POOLER=transaction needs LISTEN_DATABASE_URL: a direct connection to PostgreSQL (not through the pooler) for LISTEN, the job queue and migrations',
    );
  }
  // One without the other would sign nothing or send nowhere.
  const [hasUrl, hasSecret] = [env['WEBHOOK_URL'], env['WEBHOOK_SECRET']].map((value) => value !== undefined && value !== '');
  if (hasUrl !== hasSecret) problems.push(hasUrl ? 'WEBHOOK_SECRET is required with WEBHOOK_URL' : 'WEBHOOK_URL is required with WEBHOOK_SECRET');
  if (problems.length > 0) throw new ConfigError(problems);
}

/**
 * The bcrypt queue's defaults follow the workers that drain it: 8 checks per worker (at cost 12, a
 * sign-in admitted last waits about 8 × 0.3–0.5 s), a quarter of that per client IP and 2 per account
 * (a double-click), so one source cannot fill it.
 */
function bcryptQueueLimits(workers: number, given: Partial<Record<keyof BcryptQueueLimits, number>>): BcryptQueueLimits {
  const total = given.total ?? 8 * Math.max(1, workers);
  return Object.freeze({
    total,
    perAccount: given.perAccount ?? Math.min(2, total),
    perIp: given.perIp ?? Math.max(1, Math.ceil(total / 4)),
  });
}

function mailConfig(parsed: { NODE_ENV: NodeEnv; SMTP_URL?: string | undefined; MAIL_FROM: string; NEW_DEVICE_ALERTS: boolean }): MailConfig {
  if (!parsed.NEW_DEVICE_ALERTS) return { kind: 'off', reason: 'disabled' };
  if (parsed.SMTP_URL !== undefined) return { kind: 'smtp', url: parsed.SMTP_URL, from: parsed.MAIL_FROM };
  return parsed.NODE_ENV === 'production' ? { kind: 'off', reason: 'no-smtp-in-production' } : { kind: 'log', from: parsed.MAIL_FROM };
}

function jwtConfig(
  parsed: {
    JWT_ALGORITHM: 'HS256' | 'ES256';
    JWT_SECRET?: string | undefined;
    JWT_SECRET_PREVIOUS?: string | undefined;
    JWT_PRIVATE_KEY?: string | undefined;
    JWT_PRIVATE_KEY_PREVIOUS?: string | undefined;
    JWT_TTL: number;
  },
  cwd: string,
): JwtConfig {
  if (parsed.JWT_ALGORITHM === 'ES256') {
    return {
      algorithm: 'ES256',
      privateKey: Object.freeze(
        !parsed.JWT_PRIVATE_KEY
          ? { kind: 'development' as const, file: path.resolve(cwd, '.data', 'jwt-es256.pem') }
          : { kind: 'pem' as const, pem: parsed.JWT_PRIVATE_KEY },
      ),
      previousPrivateKey: parsed.JWT_PRIVATE_KEY_PREVIOUS || null,
      usesInsecureDefaultSecret: false,
      ttlSeconds: parsed.JWT_TTL,
    };
  }
  return {
    algorithm: 'HS256',
    secret: parsed.JWT_SECRET ?? INSECURE_DEVELOPMENT_SECRET,
    previousSecret: parsed.JWT_SECRET_PREVIOUS ?? null,
    usesInsecureDefaultSecret: parsed.JWT_SECRET === undefined,
    ttlSeconds: parsed.JWT_TTL,
  };
}

/**
 * Reads and validates the environment once, at start-up. Every problem is reported
 * together, so a bad deployment is fixed in one round rather than one variable at a time.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const nodeEnv = str({ choices: ['development', 'production', 'test'] as const, default: 'development' });
  const parsed = cleanEnv(
    env,
    {
      NODE_ENV: nodeEnv,
      PORT: integerIn(0, 65535)({ default: 4000 }),
      HOST: str({ default: '127.0.0.1' }),
      DATABASE_URL: postgresUrl({ default: undefined }),
      JWT_SECRET: jwtSecret({ default: undefined }),
      JWT_SECRET_PREVIOUS: jwtSecret({ default: undefined }),
      JWT_ALGORITHM: str({ choices: ['HS256', 'ES256'] as const, default: 'HS256' }),
      JWT_PRIVATE_KEY: es256PrivateKey({ default: undefined }),
      JWT_PRIVATE_KEY_PREVIOUS: es256PrivateKey({ default: undefined }),
      JWT_TTL: durationInSeconds({ default: 30 * 24 * 60 * 60 }),
      BCRYPT_COST: integerIn(4, 31)({ default: 12 }),
      BCRYPT_WORKERS: integerIn(0, 64)({ default: os.availableParallelism() }),
      // No envalid defaults: they follow BCRYPT_WORKERS, decided below.
      BCRYPT_QUEUE_LIMIT: integerIn(1, 100_000)({ default: undefined }),
      BCRYPT_QUEUE_PER_ACCOUNT: integerIn(1, 100_000)({ default: undefined }),
      BCRYPT_QUEUE_PER_IP: integerIn(1, 100_000)({ default: undefined }),
      MAX_ACTIVE_LOGINS: integerIn(1, 100_000)({ default: DEFAULT_MAX_ACTIVE_LOGINS }),
      HISTORY_RETENTION: durationInSeconds({ default: 90 * 24 * 60 * 60 }),
      SESSION_IDLE_TIMEOUT: durationInSecondsOrOff({ default: 14 * 24 * 60 * 60 }),
      RATE_LIMIT_LOGIN_FAILURES_PER_EMAIL_IP: integerIn(1, 1_000_000)({ default: 10 }),
      RATE_LIMIT_LOGIN_FAILURES_PER_EMAIL_IP_WINDOW: durationInSeconds({ default: 15 * 60 }),
      RATE_LIMIT_LOGIN_FAILURES_PER_IP: integerIn(1, 1_000_000)({ default: 100 }),
      RATE_LIMIT_LOGIN_FAILURES_PER_IP_WINDOW: durationInSeconds({ default: 60 * 60 }),
      RATE_LIMIT_REGISTRATIONS_PER_IP: integerIn(1, 1_000_000)({ default: 20 }),
      RATE_LIMIT_REGISTRATIONS_PER_IP_WINDOW: durationInSeconds({ default: 60 * 60 }),
      LISTEN_DATABASE_URL: postgresUrl({ default: undefined }),
      DATABASE_POOLER: str({ choices: ['none', 'transaction'] as const, default: 'none' }),
      MIGRATION_DATABASE_URL: postgresUrl({ default: undefined }),
      SHUTDOWN_DELAY: durationInSecondsOrOff({ default: 0 }),
      JOB_WORKER: bool({ default: true }),
      HTTP_KEEP_ALIVE_TIMEOUT: durationInSeconds({ default: 5 }),
      MAX_SUBSCRIPTIONS_PER_USER: integerIn(1, 10_000)({ default: 20 }),
      SUBSCRIPTION_INIT_TIMEOUT: durationInSeconds({ default: 5 }),
      SUBSCRIPTION_MAX_MESSAGE_BYTES: integerIn(1024, 16 * 1024 * 1024)({ default: 64 * 1024 }),
      SUBSCRIPTION_RECHECK_INTERVAL: durationInSeconds({ default: 60 }),
      SUBSCRIPTION_MESSAGE_RATE: integerIn(1, 1_000_000)({ default: 20 }),
      SUBSCRIPTION_MESSAGE_BURST: integerIn(1, 1_000_000)({ default: 40 }),
      SUBSCRIPTION_USER_MESSAGE_RATE: integerIn(1, 1_000_000)({ default: 60 }),
      SUBSCRIPTION_USER_MESSAGE_BURST: integerIn(1, 1_000_000)({ default: 120 }),
      TRUST_PROXY: integerIn(0, 100)({ default: 0 }),
      GEOIP_DATABASE: str({ default: undefined }),
      SMTP_URL: smtpUrl({ default: undefined }),
      MAIL_FROM: str({ default: 'login-activity <no-reply@localhost>' }),
      PUBLIC_URL: httpUrl({ default: undefined }),
      NEW_DEVICE_ALERTS: bool({ default: true }),
      WEBHOOK_URL: webhookUrl({ default: undefined }),
      WEBHOOK_SECRET: webhookSecret({ default: undefined }),
      PLAYGROUND: bool({ default: true }),
      METRICS_PORT: integerIn(0, 65535)({ default: undefined }),
      METRICS_HOST: str({ default: '127.0.0.1' }),
      LOG_LEVEL: str({
        choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
        default: 'info',
      }),
      // No envalid default: it depends on NODE_ENV (pretty only in development), decided below.
      LOG_FORMAT: str({ choices: ['json', 'pretty'] as const, default: undefined }),
    },
    { reporter: (report) => collectProblems(report, env) },
  );

  return Object.freeze({
    nodeEnv: parsed.NODE_ENV,
    port: parsed.PORT,
    host: parsed.HOST,
    database: Object.freeze(
      parsed.DATABASE_URL === undefined
        ? { kind: 'embedded' as const, dataDir: path.resolve(cwd, '.data', 'postgres') }
        : {
            kind: 'url' as const,
            url: parsed.DATABASE_URL,
            pooler: parsed.DATABASE_POOLER,
            directUrl:
              parsed.MIGRATION_DATABASE_URL ?? (parsed.DATABASE_POOLER === 'transaction' ? parsed.LISTEN_DATABASE_URL : undefined) ?? parsed.DATABASE_URL,
          },
    ),
    jwt: Object.freeze(jwtConfig(parsed, cwd)),
    bcryptCost: parsed.BCRYPT_COST,
    bcryptWorkers: parsed.BCRYPT_WORKERS,
    bcryptQueue: bcryptQueueLimits(parsed.BCRYPT_WORKERS, {
      total: parsed.BCRYPT_QUEUE_LIMIT,
      perAccount: parsed.BCRYPT_QUEUE_PER_ACCOUNT,
      perIp: parsed.BCRYPT_QUEUE_PER_IP,
    }),
    maxActiveLogins: parsed.MAX_ACTIVE_LOGINS,
    historyRetentionSeconds: parsed.HISTORY_RETENTION,
    sessionIdleTimeoutSeconds: parsed.SESSION_IDLE_TIMEOUT,
    rateLimits: Object.freeze({
      loginFailuresPerEmailAndIp: Object.freeze({
        points: parsed.RATE_LIMIT_LOGIN_FAILURES_PER_EMAIL_IP,
        windowSeconds: parsed.RATE_LIMIT_LOGIN_FAILURES_PER_EMAIL_IP_WINDOW,
      }),
      loginFailuresPerIp: Object.freeze({
        points: parsed.RATE_LIMIT_LOGIN_FAILURES_PER_IP,
        windowSeconds: parsed.RATE_LIMIT_LOGIN_FAILURES_PER_IP_WINDOW,
      }),
      registrationsPerIp: Object.freeze({
        points: parsed.RATE_LIMIT_REGISTRATIONS_PER_IP,
        windowSeconds: parsed.RATE_LIMIT_REGISTRATIONS_PER_IP_WINDOW,
      }),
    }),
    subscriptions: Object.freeze({
      listenDatabaseUrl: parsed.LISTEN_DATABASE_URL ?? null,
      maxPerUser: parsed.MAX_SUBSCRIPTIONS_PER_USER,
      initTimeoutMs: parsed.SUBSCRIPTION_INIT_TIMEOUT * 1000,
      maxMessageBytes: parsed.SUBSCRIPTION_MAX_MESSAGE_BYTES,
      recheckIntervalMs: parsed.SUBSCRIPTION_RECHECK_INTERVAL * 1000,
      socketMessages: Object.freeze({ perSecond: parsed.SUBSCRIPTION_MESSAGE_RATE, burst: parsed.SUBSCRIPTION_MESSAGE_BURST }),
      userMessages: Object.freeze({ perSecond: parsed.SUBSCRIPTION_USER_MESSAGE_RATE, burst: parsed.SUBSCRIPTION_USER_MESSAGE_BURST }),
    }),
    trustProxy: parsed.TRUST_PROXY,
    shutdownDelaySeconds: parsed.SHUTDOWN_DELAY,
    keepAliveTimeoutMs: parsed.HTTP_KEEP_ALIVE_TIMEOUT * 1000,
    jobWorker: parsed.JOB_WORKER,
    geoipDatabase: parsed.GEOIP_DATABASE === undefined || parsed.GEOIP_DATABASE === '' ? null : path.resolve(cwd, parsed.GEOIP_DATABASE),
    mail: Object.freeze(mailConfig(parsed)),
    publicUrl: parsed.PUBLIC_URL ?? null,
    // The secret's Buffer is not frozen (typed arrays cannot be); nothing writes to it.
    webhooks: parsed.WEBHOOK_URL !== undefined && parsed.WEBHOOK_SECRET !== undefined ? Object.freeze({ url: parsed.WEBHOOK_URL, secret: parsed.WEBHOOK_SECRET }) : null,
    logLevel: parsed.LOG_LEVEL,
    playground: parsed.PLAYGROUND,
    logFormat: parsed.LOG_FORMAT ?? (parsed.NODE_ENV === 'development' ? 'pretty' : 'json'),
    metrics: parsed.METRICS_PORT === undefined ? null : Object.freeze({ port: parsed.METRICS_PORT, host: parsed.METRICS_HOST }),
  });
}
