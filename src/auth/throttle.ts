import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimit, RateLimits } from '../config';
import { tooManyRequests } from '../errors';

/** The table migrations create for the counters (see RateLimitCounter). */
const TABLE = 'rate_limits';

function limiter(pool: Pool, keyPrefix: string, limit: RateLimit): RateLimiterPostgres {
  return new RateLimiterPostgres({
    storeClient: pool,
    storeType: 'pool',
    tableName: TABLE,
    tableCreated: true,
    keyPrefix,
    points: limit.points,
    duration: limit.windowSeconds,
  });
}

/** Counts one event; over the limit, refuses with TOO_MANY_REQUESTS and when to retry. */
async function consume(limiter: RateLimiterPostgres, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    // The limiter rejects with a RateLimiterRes when over the limit, with an Error when its store fails.
    if (rejection instanceof RateLimiterRes) throw tooManyRequests(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
    throw rejection;
  }
}

// Email addresses are hashed so the counters table holds no personal data and keys stay short.
const emailAndIpKey = (email: string, ip: string) => createHash('sha256').update(`${email}\n${ip}`).digest('hex');

/**
 * Brute-force limits, with counters in PostgreSQL so they hold across restarts and instances.
 * A login attempt is counted before its password is checked (so parallel or aliased guesses
 * cannot slip past the limit) and refunded when it succeeds: only failures add up.
 */
export class LoginThrottle {
  private readonly perEmailAndIp: RateLimiterPostgres;
  private readonly perIp: RateLimiterPostgres;
  private readonly registrations: RateLimiterPostgres;

  constructor(pool: Pool, limits: RateLimits) {
    this.perEmailAndIp = limiter(pool, 'login-failures-email-ip', limits.loginFailuresPerEmailAndIp);
    this.perIp = limiter(pool, 'login-failures-ip', limits.loginFailuresPerIp);
    this.registrations = limiter(pool, 'registrations-ip', limits.registrationsPerIp);
  }

  async beginLogin(email: string, ip: string): Promise<void> {
    await consume(this.perIp, ip);
    await consume(this.perEmailAndIp, emailAndIpKey(email, ip));
  }

  async loginSucceeded(email: string, ip: string): Promise<void> {
    await Promise.all([this.perEmailAndIp.delete(emailAndIpKey(email, ip)), this.perIp.reward(ip)]);
  }

  async beginRegistration(ip: string): Promise<void> {
    await consume(this.registrations, ip);
  }
}
