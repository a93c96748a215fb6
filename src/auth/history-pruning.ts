import type { Logger } from 'pino';
import { HISTORY_PRUNE_INTERVAL_MS } from '../limits';
import type { Logins } from './logins';

export interface HistoryPruning {
  /** Stops the schedule and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Keeps login history bounded: at start and every HISTORY_PRUNE_INTERVAL_MS, deletes the logins
 * revoked longer than HISTORY_RETENTION ago. Every instance schedules it; the advisory lock in
 * pruneRevoked lets one do it while the others skip, and a later run finds nothing left to delete.
 */
export function startHistoryPruning(options: {
  readonly logins: Pick<Logins, 'pruneRevoked'>;
  readonly retentionSeconds: number;
  readonly logger: Logger;
}): HistoryPruning {
  const { logins, retentionSeconds, logger } = options;
  let running: Promise<void> | null = null;
  const run = () => {
    running ??= logins
      .pruneRevoked(new Date(Date.now() - retentionSeconds * 1000))
      .then((deleted) => {
        if (deleted) logger.info({ deleted, retentionSeconds }, 'deleted revoked logins older than HISTORY_RETENTION');
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'could not delete old login history; will retry'))
      .finally(() => (running = null));
  };
  run();
  const timer = setInterval(run, HISTORY_PRUNE_INTERVAL_MS).unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
