import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addJobInTransaction, startJobQueue, type JobQueue, type JobRun, type JobTask } from '../../src/jobs/job-queue';
import { createLogger } from '../../src/logger';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

/** Never to appear in a log line: graphile-worker's log metadata holds the job row, payload and all. */
const PAYLOAD_SECRET = 'payload-secret-4f1c2a';

interface Run {
  readonly queue: string;
  readonly key: string;
  readonly job: Omit<JobRun, 'log' | 'signal'>;
  readonly at: number;
}

const runs: Run[] = [];
const logLines: string[] = [];
const logger = createLogger({ logLevel: 'debug', logFormat: 'json' }, { write: (line: string) => void logLines.push(line) });

function keyOf(payload: unknown): string {
  return String((payload as { key?: unknown }).key);
}

/** The tasks both instances run; `flaky` fails its first two attempts. */
function tasks(queue: string): Record<string, JobTask> {
  const record = (payload: unknown, { id, attempt, maxAttempts }: JobRun) =>
    void runs.push({ queue, key: keyOf(payload), job: { id, attempt, maxAttempts }, at: Date.now() });
  return {
    record: async (payload, job) => record(payload, job),
    flaky: async (payload, job) => {
      record(payload, job);
      if (job.attempt <= 2) throw new Error(`flaky failure ${job.attempt}`);
    },
  };
}

function runsOf(key: string): Run[] {
  return runs.filter((run) => run.key === key);
}

/** Polls until `condition` holds (the jobs' runs are the positive signal), failing after `timeoutMs`. */
async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the jobs');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let db: TestDatabase;
let orm: MikroORM;
let a: JobQueue;
let b: JobQueue;

beforeAll(async () => {
  db = await createTestDatabase();
  // Raw statements only: no entities needed.
  orm = await MikroORM.init({ clientUrl: db.url, entities: [], discovery: { warnWhenNoEntities: false }, allowGlobalContext: false, debug: false });
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await orm?.close();
  await db?.drop();
});

async function pendingJobs(task: string): Promise<number> {
  const [row] = await db.query<{ count: string }>('select count(*) from graphile_worker.jobs where task_identifier = $1', [task]);
  return Number(row?.count);
}

describe('the job queue (graphile-worker)', () => {
  it('installs its schema on a new database, with two instances starting together', async () => {
    expect(await db.query("select 1 from pg_namespace where nspname = 'graphile_worker'")).toEqual([]);
    [a, b] = await Promise.all([
      startJobQueue({ connectionString: db.url, logger, tasks: tasks('a') }),
      startJobQueue({ connectionString: db.url, logger, tasks: tasks('b') }),
    ]);
    const [row] = await db.query<{ count: string }>('select count(*) from graphile_worker.migrations');
    expect(Number(row?.count)).toBeGreaterThanOrEqual(20);
  });

  it('never runs a job added in a transaction that rolled back; runs the committed one once', async () => {
    await expect(
      orm.em.fork().transactional(async (tx) => {
        await addJobInTransaction(tx, 'record', { key: 'rolled-back', secret: PAYLOAD_SECRET });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await orm.em.fork().transactional((tx) => addJobInTransaction(tx, 'record', { key: 'committed', secret: PAYLOAD_SECRET }));

    await until(() => runsOf('committed').length > 0);
    // A completed job is deleted (just after its task returns): nothing is left that could run again,
    // and the rolled-back job never existed.
    await until(async () => (await pendingJobs('record')) === 0);
    expect(runsOf('committed')).toHaveLength(1);
    expect(runsOf('committed')[0]?.job).toMatchObject({ attempt: 1, maxAttempts: 25 });
    expect(runsOf('rolled-back')).toEqual([]);
  });

  it('refuses an EntityManager outside a transaction: the job would not commit with the change', async () => {
    await expect(addJobInTransaction(orm.em.fork(), 'record', { key: 'outside' })).rejects.toThrow(/in a transaction/);
  });

  it("retries a failing task with graphile-worker's backoff: about e¹ s, then e² s", { timeout: 60_000 }, async () => {
    await orm.em.fork().transactional((tx) => addJobInTransaction(tx, 'flaky', { key: 'flaky', secret: PAYLOAD_SECRET }, { maxAttempts: 5 }));

    await until(() => runsOf('flaky').length === 3, 45_000);
    const [first, second, third] = runsOf('flaky') as [Run, Run, Run];
    expect([first, second, third].map((run) => run.job.attempt)).toEqual([1, 2, 3]);
    expect(third.job.maxAttempts).toBe(5);
    // run_at = now + e^attempts seconds after a failure; picked up by the next poll (every 2 s).
    expect(second.at - first.at).toBeGreaterThanOrEqual(Math.E * 1000 - 250);
    expect(third.at - second.at).toBeGreaterThanOrEqual(Math.E ** 2 * 1000 - 250);
    await until(() => logLines.some((line) => line.includes('Completed task') && line.includes('attempt 3 of 5')));
    await until(async () => (await pendingJobs('flaky')) === 0);

    const failures = logLines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((line) => line.msg.startsWith('Failed task'));
    expect(failures).toHaveLength(2);
    // Attempts left: a warning, on one line (the stack is in `err`).
    expect(failures.map((line) => line.level)).toEqual([40, 40]);
    expect(failures.every((line) => !line.msg.includes('\n'))).toBe(true);
  });

  it('two instances on one database run each job once', async () => {
    const keys = Array.from({ length: 30 }, (_, index) => `batch-${index}`);
    await orm.em.fork().transactional(async (tx) => {
      for (const key of keys) await addJobInTransaction(tx, 'record', { key, secret: PAYLOAD_SECRET });
    });
    await until(() => keys.every((key) => runsOf(key).length > 0));
    // One more job after them: had any run twice, it would have been by now (jobs are taken in order).
    await orm.em.fork().transactional((tx) => addJobInTransaction(tx, 'record', { key: 'after-batch' }));
    await until(() => runsOf('after-batch').length > 0);
    expect(keys.map((key) => runsOf(key).length)).toEqual(keys.map(() => 1));
    await until(async () => (await pendingJobs('record')) === 0);
  });

  it('stop() waits for a running job, aborting its signal meanwhile; it is safe to call twice', { timeout: 30_000 }, async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let stopped = false;
    let stoppedWhenAborted: boolean | undefined;
    const queue = await startJobQueue({
      connectionString: db.url,
      logger,
      concurrency: 1,
      tasks: {
        // Only this instance knows the task, so only it takes the job.
        slow: async (_payload, job) => {
          started();
          await new Promise((resolve) => job.signal.addEventListener('abort', resolve, { once: true }));
          stoppedWhenAborted = stopped;
        },
      },
    });
    await orm.em.fork().transactional((tx) => addJobInTransaction(tx, 'slow', { key: 'slow' }));
    await running;

    const stopping = queue.stop().then(() => (stopped = true));
    await Promise.all([stopping, queue.stop()]);
    expect(stoppedWhenAborted).toBe(false);
    // The job finished (after its signal) rather than being cut off: completed, so deleted.
    expect(await pendingJobs('slow')).toBe(0);
  });

  it('starts again after graphile-worker stopped its runner because a completion could not be written', { timeout: 60_000 }, async () => {
    const ran: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const queue = await startJobQueue({
      connectionString: db.url,
      logger,
      concurrency: 1,
      tasks: {
        victim: async (payload) => {
          ran.push(keyOf(payload));
          if (keyOf(payload) !== 'first') return;
          started();
          await held;
        },
      },
    });
    const locker = new pg.Client({ connectionString: db.url });
    try {
      await orm.em.fork().transactional((tx) => addJobInTransaction(tx, 'victim', { key: 'first' }));
      await running;
      // The jobs table held, the completion waits on it; then its connection is cut.
      await locker.connect();
      await locker.query('begin');
      await locker.query('lock table graphile_worker._private_jobs in share mode');
      release();
      let blocked: number | undefined;
      await until(async () => {
        const [row] = await db.query<{ pid: number }>(
          "select pid from pg_stat_activity where wait_event_type = 'Lock' and query ilike 'delete from%_private_jobs%'",
        );
        blocked = row?.pid;
        return blocked !== undefined;
      });
      await db.query('select pg_terminate_backend($1)', [blocked]);
      await locker.query('rollback');
      await until(() => logLines.some((line) => line.includes('the job queue stopped on its own')));

      await orm.em.fork().transactional((tx) => addJobInTransaction(tx, 'victim', { key: 'second' }));
      await until(() => ran.includes('second'), 30_000);
      expect(ran).toEqual(['first', 'second']);
      // The second job's row goes once its completion is written, just after its task returned. The
      // first job's completion was lost: its row stays, locked, to run again once its lock expires (4 h).
      const victims = () => db.query<{ locked: boolean }>("select locked_at is not null as locked from graphile_worker.jobs where task_identifier = 'victim'");
      await until(async () => (await victims()).length === 1);
      expect(await victims()).toEqual([{ locked: true }]);
    } finally {
      await locker.end();
      await queue.stop();
    }
  });

  it('never writes a payload to the log', () => {
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('')).not.toContain(PAYLOAD_SECRET);
  });
});
