import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';

const load = (env: Record<string, string>) => loadConfig(env, '/srv/app');

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    expect(load({})).toEqual({
      nodeEnv: 'development',
      port: 4000,
      host: '127.0.0.1',
      database: { kind: 'embedded', dataDir: path.resolve('/srv/app/.data/postgres') },
      jwt: { algorithm: 'HS256', secret: expect.any(String), previousSecret: null, usesInsecureDefaultSecret: true, ttlSeconds: 30 * 24 * 3600 },
      bcryptCost: 12,
      bcryptWorkers: os.availableParallelism(),
      bcryptQueue: { total: 8 * os.availableParallelism(), perAccount: 2, perIp: 2 * os.availableParallelism() },
      maxActiveLogins: 100,
      historyRetentionSeconds: 90 * 24 * 60 * 60,
      sessionIdleTimeoutSeconds: 14 * 24 * 60 * 60,
      rateLimits: {
        loginFailuresPerEmailAndIp: { points: 10, windowSeconds: 15 * 60 },
        loginFailuresPerIp: { points: 100, windowSeconds: 3600 },
        registrationsPerIp: { points: 20, windowSeconds: 3600 },
      },
      subscriptions: {
        listenDatabaseUrl: null,
        maxPerUser: 20,
        initTimeoutMs: 5000,
        maxMessageBytes: 65536,
        recheckIntervalMs: 60_000,
        socketMessages: { perSecond: 20, burst: 40 },
        userMessages: { perSecond: 60, burst: 120 },
      },
      trustProxy: 0,
      shutdownDelaySeconds: 0,
      keepAliveTimeoutMs: 5000,
      jobWorker: true,
      geoipDatabase: null,
      mail: { kind: 'log', from: 'login-activity <no-reply@localhost>' },
      publicUrl: null,
      webhooks: null,
      logLevel: 'info',
      logFormat: 'pretty',
      playground: true,
      metrics: null,
    });
  });

  it('sends new-sign-in emails through SMTP_URL, logs them in development without it, and sends none in production without it', () => {
    const secret = { JWT_SECRET: 's'.repeat(32) };
    expect(load({ SMTP_URL: 'smtps://user:pw@mail.example.com:465', MAIL_FROM: 'Accounts <a@example.com>' }).mail).toEqual({
      kind: 'smtp',
      url: 'smtps://user:pw@mail.example.com:465',
      from: 'Accounts <a@example.com>',
    });
    expect(load({ NODE_ENV: 'production', ...secret }).mail).toEqual({ kind: 'off', reason: 'no-smtp-in-production' });
    expect(load({ SMTP_URL: 'smtp://127.0.0.1:2525', NEW_DEVICE_ALERTS: 'false' }).mail).toEqual({ kind: 'off', reason: 'disabled' });
    expect(() => load({ SMTP_URL: 'http://mail.example.com' })).toThrow(/SMTP_URL must start with smtp:\/\/ or smtps:\/\//);
  });

  it('reads PUBLIC_URL without its trailing slash, and GEOIP_DATABASE as a path', () => {
    expect(load({ PUBLIC_URL: 'https://accounts.example.com/' }).publicUrl).toBe('https://accounts.example.com');
    expect(() => load({ PUBLIC_URL: 'ftp://x' })).toThrow(/PUBLIC_URL must start with http:\/\/ or https:\/\//);
    expect(() => load({ PUBLIC_URL: 'https://x.example/?a=1' })).toThrow(/PUBLIC_URL must have no query string/);
    expect(load({ GEOIP_DATABASE: 'geo/GeoIP2-City.mmdb' }).geoipDatabase).toBe(path.resolve('/srv/app/geo/GeoIP2-City.mmdb'));
  });

  it('reads every variable', () => {
    const config = load({
      NODE_ENV: 'production',
      PORT: '0',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://app:pw@db:5432/app',
      JWT_SECRET: 's'.repeat(32),
      JWT_SECRET_PREVIOUS: 'p'.repeat(32),
      JWT_TTL: '12h',
      BCRYPT_COST: '10',
      BCRYPT_WORKERS: '0',
      MAX_ACTIVE_LOGINS: '5',
      RATE_LIMIT_LOGIN_FAILURES_PER_EMAIL_IP: '3',
      RATE_LIMIT_LOGIN_FAILURES_PER_EMAIL_IP_WINDOW: '1m',
      RATE_LIMIT_LOGIN_FAILURES_PER_IP: '30',
      RATE_LIMIT_LOGIN_FAILURES_PER_IP_WINDOW: '2h',
      RATE_LIMIT_REGISTRATIONS_PER_IP: '7',
      RATE_LIMIT_REGISTRATIONS_PER_IP_WINDOW: '1d',
      LISTEN_DATABASE_URL: 'postgresql://app:pw@db-direct:5432/app',
      DATABASE_POOLER: 'transaction',
      MIGRATION_DATABASE_URL: 'postgresql://owner:pw@db-direct:5432/app',
      SHUTDOWN_DELAY: '5s',
      HTTP_KEEP_ALIVE_TIMEOUT: '65s',
      JOB_WORKER: 'false',
      MAX_SUBSCRIPTIONS_PER_USER: '3',
      SUBSCRIPTION_INIT_TIMEOUT: '2s',
      SUBSCRIPTION_MAX_MESSAGE_BYTES: '4096',
      SUBSCRIPTION_RECHECK_INTERVAL: '5m',
      TRUST_PROXY: '2',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'pretty',
      PLAYGROUND: 'false',
    });
    expect(config).toMatchObject({
      nodeEnv: 'production',
      port: 0,
      host: '0.0.0.0',
      database: { kind: 'url', url: 'postgres://app:pw@db:5432/app', pooler: 'transaction', directUrl: 'postgresql://owner:pw@db-direct:5432/app' },
      jwt: { secret: 's'.repeat(32), previousSecret: 'p'.repeat(32), usesInsecureDefaultSecret: false, ttlSeconds: 12 * 3600 },
      bcryptCost: 10,
      bcryptWorkers: 0,
      maxActiveLogins: 5,
      rateLimits: {
        loginFailuresPerEmailAndIp: { points: 3, windowSeconds: 60 },
        loginFailuresPerIp: { points: 30, windowSeconds: 7200 },
        registrationsPerIp: { points: 7, windowSeconds: 86400 },
      },
      subscriptions: {
        listenDatabaseUrl: 'postgresql://app:pw@db-direct:5432/app',
        maxPerUser: 3,
        initTimeoutMs: 2000,
        maxMessageBytes: 4096,
        recheckIntervalMs: 300_000,
      },
      trustProxy: 2,
      shutdownDelaySeconds: 5,
      keepAliveTimeoutMs: 65000,
      jobWorker: false,
      logLevel: 'warn',
      logFormat: 'pretty',
      playground: false,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('logs pretty lines in development and JSON elsewhere, unless LOG_FORMAT says otherwise', () => {
    const secret = { JWT_SECRET: 's'.repeat(32) };
    expect(load({}).logFormat).toBe('pretty');
    expect(load({ NODE_ENV: 'test' }).logFormat).toBe('json');
    expect(load({ NODE_ENV: 'production', ...secret }).logFormat).toBe('json');
    expect(load({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(load({ NODE_ENV: 'production', LOG_FORMAT: 'pretty', ...secret }).logFormat).toBe('pretty');
    expect(() => load({ LOG_FORMAT: 'yaml' })).toThrow(/LOG_FORMAT/);
  });

  it('serves the playground in every NODE_ENV unless PLAYGROUND=false', () => {
    const secret = { JWT_SECRET: 's'.repeat(32) };
    for (const NODE_ENV of ['development', 'test', 'production']) {
      expect(load({ NODE_ENV, ...secret }).playground).toBe(true);
      expect(load({ NODE_ENV, ...secret, PLAYGROUND: 'false' }).playground).toBe(false);
    }
    expect(load({ PLAYGROUND: 'true' }).playground).toBe(true);
    expect(() => load({ PLAYGROUND: 'sometimes' })).toThrow(/PLAYGROUND/);
  });

  it('reads SESSION_IDLE_TIMEOUT as a duration with a unit, or 0 for off', () => {
    expect(load({ SESSION_IDLE_TIMEOUT: '2s' }).sessionIdleTimeoutSeconds).toBe(2);
    expect(load({ SESSION_IDLE_TIMEOUT: '8h' }).sessionIdleTimeoutSeconds).toBe(8 * 3600);
    expect(load({ SESSION_IDLE_TIMEOUT: '0' }).sessionIdleTimeoutSeconds).toBe(0);
    for (const bad of ['3600', '0s', 'never', '-1d']) {
      expect(() => load({ SESSION_IDLE_TIMEOUT: bad })).toThrow(/SESSION_IDLE_TIMEOUT must be 0 \(off\) or a duration/);
    }
  });

  it('needs a direct LISTEN_DATABASE_URL behind a transaction pooler, and DATABASE_URL for one at all', () => {
    expect(() => load({ DATABASE_URL: 'postgres://app@pgbouncer:6432/app', DATABASE_POOLER: 'transaction' })).toThrow(
      /DATABASE_POOLER=transaction needs LISTEN_DATABASE_URL: a direct connection/,
    );
    expect(() => load({ DATABASE_POOLER: 'transaction' })).toThrow(/DATABASE_POOLER=transaction needs DATABASE_URL/);
    expect(() => load({ DATABASE_POOLER: 'statement' })).toThrow(/DATABASE_POOLER/);
    const behindPgBouncer = load({
      DATABASE_URL: 'postgres://app@pgbouncer:6432/app',
      DATABASE_POOLER: 'transaction',
      LISTEN_DATABASE_URL: 'postgres://app@db:5432/app',
    });
    expect(behindPgBouncer.database).toEqual({
      kind: 'url',
      url: 'postgres://app@pgbouncer:6432/app',
      pooler: 'transaction',
      directUrl: 'postgres://app@db:5432/app',
    });
  });

  it('refuses to start in production without a JWT_SECRET', () => {
    expect(() => load({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET is required/);
  });

  describe('JWT_ALGORITHM=ES256', () => {
    const pkcs8 = (key: KeyObject) => key.export({ format: 'pem', type: 'pkcs8' }).toString();
    const current = pkcs8(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
    const previous = pkcs8(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
    const problemsOf = (env: Record<string, string>): string => {
      try {
        load(env);
      } catch (error) {
        if (error instanceof ConfigError) return error.problems.join('\n');
        throw error;
      }
      throw new Error('expected a ConfigError');
    };

    it('reads JWT_PRIVATE_KEY and JWT_PRIVATE_KEY_PREVIOUS, with literal \\n as newlines, and needs no JWT_SECRET in production', () => {
      const config = load({
        NODE_ENV: 'production',
        JWT_ALGORITHM: 'ES256',
        JWT_PRIVATE_KEY: current.trim().replaceAll('\n', '\\n'),
        JWT_PRIVATE_KEY_PREVIOUS: previous,
        JWT_TTL: '1h',
      });
      expect(config.jwt).toEqual({
        algorithm: 'ES256',
        privateKey: { kind: 'pem', pem: current.trim() },
        previousPrivateKey: previous.trim(),
        usesInsecureDefaultSecret: false,
        ttlSeconds: 3600,
      });
      expect(Object.isFrozen(config.jwt)).toBe(true);
    });

    it('uses a development key under .data/ outside production, and refuses to start in production without JWT_PRIVATE_KEY', () => {
      expect(load({ JWT_ALGORITHM: 'ES256' }).jwt).toEqual({
        algorithm: 'ES256',
        privateKey: { kind: 'development', file: path.resolve('/srv/app/.data/jwt-es256.pem') },
        previousPrivateKey: null,
        usesInsecureDefaultSecret: false,
        ttlSeconds: 30 * 24 * 3600,
      });
      expect(load({ JWT_ALGORITHM: 'ES256', NODE_ENV: 'test', JWT_PRIVATE_KEY: '' }).jwt).toMatchObject({ privateKey: { kind: 'development' } });
      const problems = problemsOf({ NODE_ENV: 'production', JWT_ALGORITHM: 'ES256' });
      expect(problems).toMatch(/JWT_PRIVATE_KEY is required when NODE_ENV=production and JWT_ALGORITHM=ES256/);
      expect(problems).not.toMatch(/JWT_SECRET/);
    });

    it('says what is wrong with a key that is not PKCS#8 P-256, never echoing it', () => {
      const sec1 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'sec1' }).toString();
      const p384 = pkcs8(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey);
      const ed25519 = pkcs8(generateKeyPairSync('ed25519').privateKey);
      const publicPem = createPublicKey(current).export({ format: 'pem', type: 'spki' }).toString();
      const garbled = current.replace(/[A-Za-z0-9]{20}/, 'A'.repeat(20));
      const cases: Array<[string, RegExp]> = [
        [sec1, /JWT_PRIVATE_KEY must be PKCS#8 .* got a SEC1 EC key/],
        [p384, /JWT_PRIVATE_KEY must be an EC key on P-256, got ec on secp384r1/],
        [ed25519, /JWT_PRIVATE_KEY must be an EC key on P-256, got ed25519/],
        [publicPem, /JWT_PRIVATE_KEY must be an unencrypted PEM private key/],
        ['not a key', /JWT_PRIVATE_KEY must be an unencrypted PEM private key/],
        [garbled, /JWT_PRIVATE_KEY does not parse as a PEM private key/],
      ];
      for (const [key, message] of cases) {
        const problems = problemsOf({ JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: key, JWT_PRIVATE_KEY_PREVIOUS: key });
        expect(problems).toMatch(message);
        expect(problems).toMatch(new RegExp(message.source.replace('JWT_PRIVATE_KEY', 'JWT_PRIVATE_KEY_PREVIOUS')));
        const body = key.split('\n').find((line) => line.length > 40) ?? key;
        expect(problems).not.toContain(body);
      }
    });

    it('refuses a key without ES256 and an unknown algorithm, and keeps HS256 as it was', () => {
      expect(problemsOf({ JWT_PRIVATE_KEY: current })).toMatch(/JWT_PRIVATE_KEY is only used with JWT_ALGORITHM=ES256/);
      expect(problemsOf({ JWT_ALGORITHM: 'HS256', JWT_PRIVATE_KEY_PREVIOUS: current })).toMatch(/JWT_PRIVATE_KEY_PREVIOUS is only used with JWT_ALGORITHM=ES256/);
      expect(problemsOf({ JWT_ALGORITHM: 'RS256' })).toMatch(/JWT_ALGORITHM/);
      expect(problemsOf({ NODE_ENV: 'production', JWT_ALGORITHM: 'HS256' })).toMatch(/JWT_SECRET is required when NODE_ENV=production/);
      expect(load({ JWT_ALGORITHM: 'HS256', JWT_SECRET: 's'.repeat(32) }).jwt).toEqual({
        algorithm: 'HS256',
        secret: 's'.repeat(32),
        previousSecret: null,
        usesInsecureDefaultSecret: false,
        ttlSeconds: 30 * 24 * 3600,
      });
    });
  });

  it('reports every bad value at once, each with its variable and why', () => {
    let error: unknown;
    try {
      load({
        PORT: '70000',
        DATABASE_URL: 'mysql://x',
        JWT_SECRET: 'short',
        JWT_TTL: '3600',
        BCRYPT_COST: '3',
        TRUST_PROXY: '-1',
        LOG_LEVEL: 'loud',
        LOG_FORMAT: 'xml',
        NODE_ENV: 'staging',
        LISTEN_DATABASE_URL: 'redis://cache',
        MAX_SUBSCRIPTIONS_PER_USER: '0',
        SUBSCRIPTION_INIT_TIMEOUT: '5',
        SUBSCRIPTION_MAX_MESSAGE_BYTES: '100',
        SUBSCRIPTION_RECHECK_INTERVAL: 'soon',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    const names = ['PORT', 'DATABASE_URL', 'JWT_SECRET', 'JWT_TTL', 'BCRYPT_COST', 'TRUST_PROXY', 'LOG_LEVEL', 'LOG_FORMAT', 'NODE_ENV'];
    const subscriptionNames = [
      'LISTEN_DATABASE_URL',
      'MAX_SUBSCRIPTIONS_PER_USER',
      'SUBSCRIPTION_INIT_TIMEOUT',
      'SUBSCRIPTION_MAX_MESSAGE_BYTES',
      'SUBSCRIPTION_RECHECK_INTERVAL',
    ];
    for (const name of [...names, ...subscriptionNames]) {
      expect(problems).toContain(name);
    }
    expect(problems).toMatch(/JWT_SECRET must be at least 32 characters/);
    expect(problems).toMatch(/JWT_TTL must be a duration .* with a unit/);
  });
});
