import type { Pool } from 'pg';

/**
 * A job's state as the metrics show it: `waiting` (due, free to take), `scheduled` (due later: a
 * retry's backoff, or a later `runAt`), `running` (locked by a worker; a dead instance's job stays
 * locked until graphile-worker frees it after 4 hours), `failed` (out of attempts, kept in the table).
 */
export type QueueJobState = 'waiting' | 'scheduled' | 'running' | 'failed';

export const QUEUE_JOB_STATES: readonly QueueJobState[] = ['waiting', 'scheduled', 'running', 'failed'];

/** How many jobs of one task (graphile-worker's task identifier: the queue the metrics name) are in each state. */
export interface QueueJobCounts {
  readonly queue: string;
  readonly jobs: Readonly<Record<QueueJobState, number>>;
}

/**
 * graphile-worker 0.18's own tables (its `jobs` view joins the same ones): every task it knows, with
 * none of its jobs counted as 0. `attempts` is raised as a job is taken, so a locked job on its last
 * attempt is running, not failed.
 */
const COUNTS = `
  select tasks.identifier as queue,
    count(jobs.id) filter (where jobs.locked_at is null and jobs.attempts < jobs.max_attempts and jobs.run_at <= now())::int as waiting,
    count(jobs.id) filter (where jobs.locked_at is null and jobs.attempts < jobs.max_attempts and jobs.run_at > now())::int as scheduled,
    count(jobs.id) filter (where jobs.locked_at is not null)::int as running,
    count(jobs.id) filter (where jobs.locked_at is null and jobs.attempts >= jobs.max_attempts)::int as failed
  from graphile_worker._private_tasks as tasks
  left join graphile_worker._private_jobs as jobs on jobs.task_id = tasks.id
  group by tasks.identifier
  order by tasks.identifier`;

/** undefined_table, invalid_schema_name: graphile-worker never installed its schema in this database. */
const NO_SCHEMA = new Set(['42P01', '3F000']);

type CountRow = { queue: string } & Record<QueueJobState, number>;

/** The jobs of every task by state; none before graphile-worker installed its schema (no instance ever ran the queue). */
export async function countQueueJobs(pool: Pool): Promise<QueueJobCounts[]> {
  try {
    const { rows } = await pool.query<CountRow>(COUNTS);
    return rows.map(({ queue, waiting, scheduled, running, failed }) => ({ queue, jobs: { waiting, scheduled, running, failed } }));
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && NO_SCHEMA.has(code)) return [];
    throw error;
  }
}
