import { Logger as WorkerLogger, type LogFunctionFactory, type LogLevel } from 'graphile-worker';
import type { Logger } from '../logger';

const LEVELS: Readonly<Record<LogLevel, 'error' | 'warn' | 'info' | 'debug'>> = {
  error: 'error',
  warning: 'warn',
  info: 'info',
  debug: 'debug',
};

/** The parts of graphile-worker's log metadata that are read; the rest (the job row, payload and all) is not. */
interface LogMeta {
  failure?: unknown;
  job?: { attempts?: unknown; max_attempts?: unknown };
  error?: unknown;
  fatalError?: unknown;
}

/**
 * graphile-worker's log lines on our logger, `component: "jobs"` with its worker, task and job ids.
 * Only a message's first line is kept (a failure's goes on with the stack, which `err` carries) and,
 * of the metadata, only the error: the rest holds the job row, payload and all, which never reaches
 * a log. A failed attempt that will be retried is a warning; the last one is an error.
 */
export function workerLogger(logger: Logger): WorkerLogger {
  const factory: LogFunctionFactory = (scope) => {
    const log = logger.child({
      component: 'jobs',
      ...(scope.workerId ? { worker: scope.workerId } : {}),
      ...(scope.taskIdentifier ? { task: scope.taskIdentifier } : {}),
      ...(scope.jobId ? { jobId: scope.jobId } : {}),
    });
    return (level, message, meta) => {
      const { failure, job, error, fatalError } = meta as LogMeta;
      const willRetry = failure === true && Number(job?.attempts) < Number(job?.max_attempts);
      const cause = [error, fatalError].find((value) => value instanceof Error);
      const line = message.split('\n', 1)[0] ?? message;
      log[willRetry ? 'warn' : LEVELS[level]](cause ? { err: cause } : {}, line);
    };
  };
  return new WorkerLogger(factory);
}
