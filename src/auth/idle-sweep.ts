import type { Logger } from 'pino';
import { runPeriodically, type Periodic } from '../lib/periodic';
import type { IdleTimeout } from './idle-timeout';
import type { Logins } from './logins';

/**
 * Revokes (IDLE_TIMEOUT) the logins left unused longer than SESSION_IDLE_TIMEOUT, at start and every
 * sweep interval, so that `myLogins` and subscribers see them end without waiting for their next
 * request (which would revoke them too: see validateSession). Every instance schedules it; an
 * advisory lock lets one sweep at a time. Nothing is scheduled when the timeout is off.
 */
export function startIdleSweep(options: {
  readonly logins: Pick<Logins, 'sweepIdle'>;
  readonly idle: IdleTimeout;
  readonly logger: Logger;
}): Periodic | null {
  const { logins, idle, logger } = options;
  if (!idle.enabled) return null;
  return runPeriodically(() => {
    const now = new Date();
    return logins
      .sweepIdle(idle.idleBefore(now), now)
      .then((revoked) => {
        if (revoked) logger.info({ revoked }, 'revoked logins unused for longer than SESSION_IDLE_TIMEOUT');
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'could not revoke idle logins; will retry'));
  }, idle.sweepIntervalMs);
}
