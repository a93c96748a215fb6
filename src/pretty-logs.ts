import pino, { type DestinationStream } from 'pino';
import { isColorSupported, prettyFactory, type MessageFormatFunc } from 'pino-pretty';

/**
 * The request line's own fields (src/http/request-log.ts): shown in its message, so left out of the
 * fields printed after it. No other log line may use these names, or pretty output would hide them.
 */
const REQUEST_LINE_KEYS = ['method', 'path', 'status', 'durationMs'];

/** "POST /graphql 200 12ms" for a request line (its message only when unusual), the plain message otherwise. */
const messageFormat: MessageFormatFunc = (log, messageKey) => {
  const message = String(log[messageKey] ?? '');
  if (typeof log['status'] !== 'number') return message;
  const line = `${String(log['method'])} ${String(log['path'])} ${log['status']} ${String(log['durationMs'])}ms`;
  return message === 'request completed' ? line : `${line} (${message})`;
};

/**
 * Human-readable, one line per entry, for a developer's terminal (or `destination`, in tests).
 *
 * Formatted in-process and written synchronously, not by pino's worker-thread transport nor
 * pino-pretty's stream: src/server.ts calls process.exit right after its last line ("stopped"),
 * which ends a worker thread before it writes, and cuts a chain of asynchronous Node streams as
 * well. Here each line is on stdout before `logger.info()` returns. Synchronous writes cost
 * throughput, which does not matter for development output; JSON output keeps pino's own
 * asynchronous destination, which pino flushes synchronously on exit.
 */
export function prettyDestination(destination?: DestinationStream): DestinationStream {
  const prettify = prettyFactory({
    colorize: destination === undefined && isColorSupported,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: ['pid', 'hostname', ...REQUEST_LINE_KEYS].join(','),
    singleLine: true,
    messageFormat,
  });
  const output = destination ?? pino.destination({ dest: 1, sync: true });
  return { write: (line: string) => output.write(prettify(line)) };
}
