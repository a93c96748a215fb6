import type { Logger } from 'pino';
import { runPeriodically, type Periodic } from '../lib/periodic';
import { HISTORY_PRUNE_INTERVAL_MS } from '../limits';
import type { Logins } from './logins';

/**
 * Keeps login history bounded: at start and every HISTORY_PRUNE_INTERVAL_MS, deletes the logins
 * revoked, and the security events recorded, longer than HISTORY_RETENTION ago. Every instance schedules it; the advisory lock in
 * pruneHistory lets one do it while the others skip, and a later run finds nothing left to delete.
 */
export function startHistoryPruning(options: {
  readonly logins: Pick<Logins, 'pruneHistory'>;
  readonly retentionSeconds: number;
  readonly logger: Logger;
}): Periodic {
  const { logins, retentionSeconds, logger } = options;
  return runPeriodically(
    () =>
      logins
        .pruneHistory(new Date(Date.now() - retentionSeconds * 1000))
        .then((deleted) => {
          if (deleted && deleted.logins + deleted.events > 0) {
            logger.info({ deletedLogins: deleted.logins, deletedEvents: deleted.events, retentionSeconds }, 'deleted history older than HISTORY_RETENTION');
          }
        })
        .catch((error: unknown) => logger.warn({ err: error }, 'could not delete old login history; will retry')),
    HISTORY_PRUNE_INTERVAL_MS,
  );
}
