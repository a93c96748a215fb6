import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimit, RateLimits } from '../config';
import { tooManyRequests } from '../errors';
import { rateLimitKey } from './rate-limit-key';

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

// Email addresses are hashed so the counters table holds no personal data and keys stay short.
const emailAndIpKey = (email: string, ip: string) => createHash('sha256').update(`${email}\n${ip}`).digest('hex');

/** One counted login attempt: settle it with `failed` (its points stay) or `refund` (they are given back). */
export interface LoginAttempt {
  /** A wrong password (or unknown email): the only outcome whose points stay. */
  failed(): void;
  /** The password was right: its points are given back and the account's failures from this IP are forgotten. */
  succeeded(): Promise<void>;
  /** Anything else (the database or the bcrypt queue refused): the attempt was never judged, so it costs nothing. */
  refund(): Promise<void>;
}

/**
 * Brute-force limits, with counters in PostgreSQL so they hold across restarts and instances, per
 * client as rateLimitKey counts them (an IPv6 client by its /64).
 * A login attempt is counted before its password is checked (so parallel or aliased guesses
 * cannot slip past the limit); every outcome but a wrong password gives its points back, and an
 * attempt refused by a limit takes none: only failures add up.
 */
export class LoginThrottle {
  private readonly perEmailAndIp: RateLimiterPostgres;
  private readonly perIp: RateLimiterPostgres;
  private readonly registrations: RateLimiterPostgres;

  constructor(
    private readonly pool: Pool,
    limits: RateLimits,
  ) {
    this.perEmailAndIp = limiter(pool, 'login-failures-email-ip', limits.loginFailuresPerEmailAndIp);
    this.perIp = limiter(pool, 'login-failures-ip', limits.loginFailuresPerIp);
    this.registrations = limiter(pool, 'registrations-ip', limits.registrationsPerIp);
  }

  /** Takes one point of each login limit, or none: over either limit, refuses with TOO_MANY_REQUESTS. */
  async beginLogin(email: string, clientIp: string): Promise<LoginAttempt> {
    const ip = rateLimitKey(clientIp);
    const emailKey = emailAndIpKey(email, ip);
    await this.take(this.perIp, ip);
    try {
      await this.take(this.perEmailAndIp, emailKey);
    } catch (refusal) {
      await this.giveBack(this.perIp, ip);
      throw refusal;
    }
    let settled = false;
    const settleOnce = () => {
      const first = !settled;
      settled = true;
      return first;
    };
    return {
      failed: () => void settleOnce(),
      succeeded: async () => {
        if (!settleOnce()) return;
        await Promise.all([this.perEmailAndIp.delete(emailKey), this.giveBack(this.perIp, ip)]);
      },
      refund: async () => {
        if (!settleOnce()) return;
        await Promise.all([this.giveBack(this.perEmailAndIp, emailKey), this.giveBack(this.perIp, ip)]);
      },
    };
  }

  async beginRegistration(clientIp: string): Promise<void> {
    await this.take(this.registrations, rateLimitKey(clientIp));
  }

  /**
   * Counts one event; over the limit, gives the point back at once and refuses with
   * TOO_MANY_REQUESTS and when to retry. The count briefly includes the refused point, which can
   * only refuse more, never let more through, so parallel attempts still stop at the limit.
   */
  private async take(limiter: RateLimiterPostgres, key: string): Promise<void> {
    try {
      await limiter.consume(key);
    } catch (rejection) {
      // The limiter rejects with a RateLimiterRes when over the limit, with an Error when its store fails.
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      await this.giveBack(limiter, key);
      throw tooManyRequests(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
    }
  }

  /**
   * Returns one point to a counter of the current window, never below zero. The limiter's own
   * `reward` could go negative (after a successful login cleared the counter, or once the window
   * ended), which would hand out extra attempts.
   */
  private async giveBack(limiter: RateLimiterPostgres, key: string): Promise<void> {
    await this.pool.query({
      name: 'login-throttle-give-back',
      text: `update ${TABLE} set points = greatest(points - 1, 0) where key = $1 and expire > $2`,
      values: [limiter.getKey(key), Date.now()],
    });
  }
}
