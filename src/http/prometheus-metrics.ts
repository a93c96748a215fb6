import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { RevokeReason } from '../entities/revoke-reason';
import { QUEUE_JOB_STATES, type QueueJobCounts } from '../jobs/queue-counts';
import { METRICS_QUEUE_COUNTS_TIMEOUT_MS, formatMilliseconds } from '../limits';
import type { Logger } from '../logger';
import type { LoginResult, Meter, SessionCheckResult } from '../metrics';

/** What the gauges read at each scrape. */
export interface MetricSources {
  /** Open GraphQL subscriptions on this instance. */
  subscriptions(): number;
  /** The job queue's jobs by task and state. */
  queueJobs(): Promise<readonly QueueJobCounts[]>;
}

export interface PrometheusMetrics {
  /** What the services count with. */
  readonly meter: Meter;
  /** Every metric in Prometheus' text format (version 0.0.4), the gauges read now. */
  scrape(): Promise<string>;
  readonly contentType: string;
}

/** A session check is one batched statement: well under a millisecond to a few; the slow tail is what matters. */
const SESSION_CHECK_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

const LOGIN_RESULTS: readonly LoginResult[] = ['success', 'failure', 'throttled'];
const SESSION_CHECK_RESULTS: readonly SessionCheckResult[] = ['valid', 'anonymous', 'rejected'];

/**
 * One child per label value, made once (the hot path then only increments), each at 0 from the
 * start so that every series exists before its first event.
 */
function childrenOf<L extends string>(counter: Counter<string>, values: readonly L[]): Map<L, Counter.Internal> {
  return new Map(
    values.map((value) => {
      const child = counter.labels(value);
      child.inc(0);
      return [value, child];
    }),
  );
}

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${formatMilliseconds(ms)}`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** The metrics of METRICS_PORT on a registry of their own, with Node's default process metrics. */
export function createPrometheusMetrics(sources: MetricSources, logger: Logger): PrometheusMetrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const logins = childrenOf(
    new Counter({
      name: 'login_activity_logins_total',
      help: 'Sign-ins and registrations, by result: success, failure (wrong credentials), throttled.',
      labelNames: ['result'],
      registers,
    }),
    LOGIN_RESULTS,
  );
  const sessionChecks = childrenOf(
    new Counter({
      name: 'login_activity_session_checks_total',
      help: 'Session checks (HTTP and WebSocket), by result: valid, anonymous, rejected.',
      labelNames: ['result'],
      registers,
    }),
    SESSION_CHECK_RESULTS,
  );
  const checkDuration = new Histogram({
    name: 'login_activity_session_check_duration_seconds',
    help: 'How long session checks took, token verification and login row read included.',
    buckets: SESSION_CHECK_BUCKETS,
    registers,
  }).labels();
  const revocationCounter = new Counter({
    name: 'login_activity_revocations_total',
    help: 'Logins revoked, by RevokeReason, counted by the instance that revoked them once committed.',
    labelNames: ['reason'],
    registers,
  });
  const revocations = childrenOf<string>(revocationCounter, Object.values(RevokeReason));

  new Gauge({
    name: 'login_activity_subscriptions',
    help: 'Open GraphQL subscriptions on this instance.',
    registers,
    collect() {
      this.set(sources.subscriptions());
    },
  });

  // One count at a time: scrapes that come while the database is slow share it.
  let counting: Promise<readonly QueueJobCounts[]> | null = null;
  new Gauge({
    name: 'login_activity_queue_jobs',
    help: 'Jobs in the durable job queue, by queue (task) and state: waiting, scheduled, running, failed.',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      counting ??= sources.queueJobs().finally(() => {
        counting = null;
      });
      const counts = await within(counting, METRICS_QUEUE_COUNTS_TIMEOUT_MS).catch((error: unknown) => {
        logger.warn({ err: error }, "could not count the job queue's jobs: login_activity_queue_jobs is left out of this scrape");
        return null;
      });
      // Reset after the wait and set at once: a scrape never reads half of the counts.
      this.reset();
      for (const { queue, jobs } of counts ?? []) {
        for (const state of QUEUE_JOB_STATES) this.labels(queue, state).set(jobs[state]);
      }
    },
  });

  return {
    meter: {
      enabled: true,
      loginAttempt: (result) => logins.get(result)?.inc(),
      sessionChecked(result, seconds) {
        sessionChecks.get(result)?.inc();
        checkDuration.observe(seconds);
      },
      revoked(reason, count) {
        if (count > 0) (revocations.get(reason) ?? revocationCounter.labels(reason)).inc(count);
      },
    },
    scrape: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
