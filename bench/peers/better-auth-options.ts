import type { BetterAuthOptions } from 'better-auth';
import type pg from 'pg';

/** better-auth's default cookie cache lifetime, stated so that the report can say how long a revoked session stays accepted. */
export const COOKIE_CACHE_SECONDS = 5 * 60;

/** How a better-auth peer is configured: email and password, sessions in its own database, the cookie cache on or off. */
export function betterAuthOptions(settings: { origin: string; secret: string; pool: pg.Pool; cookieCache: boolean }): BetterAuthOptions {
  return {
    baseURL: settings.origin,
    secret: settings.secret,
    database: settings.pool,
    emailAndPassword: { enabled: true },
    // Off: no cookie cache, so every getSession reads the session row (our server's guarantee).
    // On: a signed session_data cookie answers getSession until it expires, without the database.
    session: settings.cookieCache ? { cookieCache: { enabled: true, maxAge: COOKIE_CACHE_SECONDS } } : {},
    // Telemetry is off by default; said here so that a bench run can never send anything anywhere.
    telemetry: { enabled: false },
  };
}
