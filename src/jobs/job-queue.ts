import type { EntityManager } from '@mikro-orm/postgresql';
import { run, runMigrations, type Runner, type RunnerOptions, type TaskList } from 'graphile-worker';
import pg from 'pg';
import { DATABASE_TIMEOUTS_MS, formatMilliseconds } from '../limits';
import type { Logger } from '../logger';
import { workerLogger } from './worker-logger';

/**
 * Background work on PostgreSQL with graphile-worker: a job is a row in `graphile_worker`'s tables,
 * added in the same transaction as the change that calls for it (addJobInTransaction), and run by
 * one instance, whichever locks it first (`FOR UPDATE SKIP LOCKED`).
 *
 * Retries, as graphile-worker 0.18 does them (`run_at = greatest(now(), run_at) + exp(least(attempts,
 * 10)) * interval '1 second'` in its dist/sql/failJobs.js; `attempts` is raised as a job is taken, in
 * getJobs.js): a job whose task throws is retried after e^min(attempts, 10) seconds, `attempts`
 * counting the attempt that failed: about 2.7 s after the first failure, then 7.4 s, 20 s,
 * 55 s, 2.5 min, 6.7 min, 18 min, 50 min, 2.2 h, and 6.1 h (e^10 s) for every retry after the tenth.
 * After `max_attempts` (25 unless the job says otherwise) it is never tried again but stays in the
 * table, its last error in `last_error`: a "permanently failed" job, visible rather than lost. With
 * 25 attempts the last one comes about 95 hours (4 days) after the first. A job that was running
 * on an instance that died is unlocked and retried after 4 hours (resetLockedAt.js).
 */

/** 25 attempts spread over about 4 days (see above): a long SMTP outage delays a new-sign-in email, it does not lose it. */
export const MAIL_MAX_ATTEMPTS = 25;

/** The same 25 attempts over about 4 days: a receiver down for a weekend still gets every event, in the end. */
export const WEBHOOK_MAX_ATTEMPTS = 25;

/** How many jobs one instance runs at once unless told otherwise: mail jobs mostly wait on SMTP servers. */
export const DEFAULT_JOB_CONCURRENCY = 4;

/** Any fixed number (beside the ORM migrations' 4_242_001): instances install graphile-worker's schema one at a time. */
const JOB_SCHEMA_LOCK = 4_242_002;

/** After the runner stopped on its own: 5 s, then longer while the database stays away. */
const RESTART_DELAYS_MS = [5_000, 15_000, 30_000, 60_000] as const;

/** What a task learns about the job it runs. */
export interface JobRun {
  readonly id: string;
  /** 1 on the first attempt. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Aborted a few seconds into a shutdown, if the task is still running: a cancelled job is retried later. */
  readonly signal: AbortSignal;
  /** The queue's logger with the job's id and task. */
  readonly log: Logger;
}

/**
 * Runs one job: resolves when done; throws to have it retried (with the backoff above). The payload
 * is whatever was enqueued, parsed from JSON: the task checks its shape.
 */
export type JobTask = (payload: unknown, job: JobRun) => Promise<void>;

export interface JobQueueOptions {
  /** The server's database (DATABASE_URL or the embedded one): the queue lives in its `graphile_worker` schema. */
  readonly connectionString: string;
  readonly logger: Logger;
  /** Every task this instance runs, by name. */
  readonly tasks: Readonly<Record<string, JobTask>>;
  /** Jobs run at once on this instance (DEFAULT_JOB_CONCURRENCY). */
  readonly concurrency?: number;
}

export interface JobQueue {
  /** Takes no new jobs, waits for the running ones (aborting their signal after 5 s), closes its connections. Safe to call twice. */
  stop(): Promise<void>;
}

function taskList(tasks: JobQueueOptions['tasks'], logger: Logger): TaskList {
  return Object.fromEntries(
    Object.entries(tasks).map(([name, task]) => [
      name,
      (payload: unknown, helpers) =>
        task(payload, {
          id: helpers.job.id,
          attempt: helpers.job.attempts,
          maxAttempts: helpers.job.max_attempts,
          signal: helpers.abortSignal,
          log: logger.child({ component: 'jobs', task: name, jobId: helpers.job.id }),
        }),
    ]),
  );
}

// The callback overload's parameter (the last overload, which Parameters reads).
type ConnectCallback = Parameters<pg.Pool['connect']>[0];

/**
 * A pool whose checkouts are released once: a second release is ignored. graphile-worker 0.18 can
 * release its LISTEN client twice after that connection breaks (its `release()` in dist/main.js runs
 * unawaited from the error handler, and again as the worker shuts down); pg-pool throws on the second
 * call, inside a promise nobody awaits, and an unhandled rejection ends a Node process. Seen once in
 * CI, while a test cut the database's connections.
 */
export class OnceReleasedPool extends pg.Pool {
  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    if (!callback) return super.connect().then(releasedOnce);
    super.connect((error, client, done) => {
      if (error || !client) return callback(error, client, done);
      const guarded = releasedOnce(client);
      callback(undefined, guarded, guarded.release);
    });
  }
}

function releasedOnce(client: pg.PoolClient): pg.PoolClient {
  const release = client.release;
  let released = false;
  client.release = (error?: Error | boolean) => {
    if (released) return;
    released = true;
    release(error);
  };
  return client;
}

/**
 * A pool of our own, with the error listeners graphile-worker asks for: a dropped idle connection is
 * logged, never an unhandled 'error' event.
 */
function workerPool(connectionString: string, concurrency: number, logger: Logger): pg.Pool {
  // One connection per running job, one for LISTEN, one spare for completing and failing jobs, and
  // one for the schema lock at start.
  const pool = new OnceReleasedPool({ connectionString, max: concurrency + 3, connectionTimeoutMillis: DATABASE_TIMEOUTS_MS.connect, keepAlive: true });
  const onError = (error: Error) => logger.warn({ component: 'jobs', err: error }, 'job queue database connection failed');
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  return pool;
}

/**
 * Installs or upgrades graphile-worker's schema, and runs no jobs: an instance with JOB_WORKER=false
 * still adds jobs in its transactions, which needs the schema. Under the lock runners start with.
 */
export async function installJobSchema(connectionString: string, logger: Logger): Promise<void> {
  const pool = workerPool(connectionString, 0, logger);
  try {
    const lock = await pool.connect();
    try {
      await lock.query('select pg_advisory_lock($1)', [JOB_SCHEMA_LOCK]);
      await runMigrations({ pgPool: pool, logger: workerLogger(logger) });
    } finally {
      await lock
        .query('select pg_advisory_unlock($1)', [JOB_SCHEMA_LOCK])
        .catch(() => {})
        .finally(() => lock.release());
    }
  } finally {
    await pool.end();
  }
}

/** Installs or upgrades graphile-worker's schema and starts a runner, one instance at a time. */
async function runWithSchemaLock(pool: pg.Pool, options: RunnerOptions): Promise<Runner> {
  const lock = await pool.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [JOB_SCHEMA_LOCK]);
    return await run(options);
  } finally {
    await lock
      .query('select pg_advisory_unlock($1)', [JOB_SCHEMA_LOCK])
      .catch(() => {})
      .finally(() => lock.release());
  }
}

/**
 * Starts running jobs. graphile-worker installs or upgrades its schema (`graphile_worker`) before it
 * looks for jobs; instances starting together take turns under an advisory lock, held on a
 * connection of its own, so none fails on a half-made schema. Signals are left to the server
 * (`noHandleSignals`), which calls `stop()` in its own shutdown order.
 *
 * graphile-worker stops its runner for good when it cannot record a job's completion or failure (the
 * database went away at that moment); the queue then starts a new one, after RESTART_DELAYS_MS, for
 * as long as it is not stopped. The job whose completion was lost stays locked and runs again after
 * 4 hours: delivery is at least once.
 */
export async function startJobQueue(options: JobQueueOptions): Promise<JobQueue> {
  const { logger } = options;
  const concurrency = options.concurrency ?? DEFAULT_JOB_CONCURRENCY;
  const pool = workerPool(options.connectionString, concurrency, logger);
  const runnerOptions: RunnerOptions = {
    pgPool: pool,
    taskList: taskList(options.tasks, logger),
    concurrency,
    noHandleSignals: true,
    logger: workerLogger(logger),
    // No crontab: otherwise graphile-worker reads a `crontab` file from the working directory.
    parsedCronItems: [],
    preset: {
      worker: {
        // Completions and failures go through graphile-worker's batcher, which a graceful shutdown
        // waits for. Written directly (-1, the default), they are not awaited: a shutdown could close
        // the pool before a completed job was deleted, and the job would run again 4 hours later.
        completeJobBatchDelay: 0,
        failJobBatchDelay: 0,
      },
    },
  };

  let stopped = false;
  let restarts = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  let current: Promise<Runner | null>;

  const launch = async (): Promise<Runner | null> => {
    const runner = await runWithSchemaLock(pool, runnerOptions);
    restarts = 0;
    // Settles when the runner ends: on stop(), or on its own after an error it has logged.
    void runner.promise
      .catch(() => {})
      .then(() => {
        if (stopped) return;
        current = Promise.resolve(null);
        scheduleRestart('the job queue stopped on its own (graphile-worker logged why)');
      });
    return runner;
  };
  const scheduleRestart = (why: string, error?: unknown) => {
    const delay = RESTART_DELAYS_MS[Math.min(restarts, RESTART_DELAYS_MS.length - 1)]!;
    restarts += 1;
    logger.error({ component: 'jobs', ...(error === undefined ? {} : { err: error }) }, `${why}: starting it again in ${formatMilliseconds(delay)}`);
    restartTimer = setTimeout(() => {
      current = launch().catch((failure: unknown) => {
        if (!stopped) scheduleRestart('the job queue could not start', failure);
        return null;
      });
    }, delay);
  };

  current = launch();
  try {
    await current;
  } catch (error) {
    await pool.end();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    stop: () =>
      (stopping ??= (async () => {
        stopped = true;
        clearTimeout(restartTimer);
        const runner = await current;
        await runner?.stop().catch((error: unknown) => logger.warn({ component: 'jobs', err: error }, 'job queue did not stop cleanly'));
        await pool.end();
      })()),
  };
}

export interface AddJobOptions {
  /**
   * At most one waiting job per key: adding another with the same key replaces the waiting one
   * (graphile-worker's `job_key_mode` 'replace'). One already running keeps running, is not retried
   * if it fails, and the new job is added beside it.
   */
  readonly jobKey?: string;
  /** MAIL_MAX_ATTEMPTS for mail; graphile-worker's default is 25. */
  readonly maxAttempts?: number;
  /** Not before this time (default: now). */
  readonly runAt?: Date;
}

/**
 * Enqueues a job on the caller's transaction: it commits with the change that called for it, or
 * rolls back with it, so a job never runs for a change that did not happen and a change never goes
 * without its job. graphile-worker's NOTIFY is sent at commit, so an idle instance picks the job up
 * at once.
 */
export async function addJobInTransaction(em: EntityManager, task: string, payload: Record<string, unknown>, options: AddJobOptions = {}): Promise<void> {
  if (!em.isInTransaction()) throw new Error('addJobInTransaction needs an EntityManager in a transaction (em.transactional)');
  await em.execute(
    'select graphile_worker.add_job(identifier => ?, payload => ?::json, run_at => ?::timestamptz, max_attempts => ?::int, job_key => ?)',
    [task, JSON.stringify(payload), options.runAt?.toISOString() ?? null, options.maxAttempts ?? null, options.jobKey ?? null],
  );
}
