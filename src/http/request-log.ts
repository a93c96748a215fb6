import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Level, Logger } from 'pino';
import { FORWARD_AUTH_PATH } from './forward-auth';
import { requestId } from './request-id';
import { pathOf } from './request-target';

function levelOf(path: string, status: number): Level {
  if (status >= 500) return 'error';
  // Many 429s mean someone is guessing passwords.
  if (status === 429) return 'warn';
  // A load balancer probes every few seconds, and a proxy asks /auth/session before every request
  // it lets through: only a failing probe, or a refused session, is news at the default level.
  if (status < 400 && (path === '/healthz' || path.startsWith(FORWARD_AUTH_PATH))) return 'debug';
  return 'info';
}

/**
 * One HTTP request's log: its id, the fields later steps learn (the user and login of the session,
 * the operation, the error codes sent) and, when asked for, a logger whose lines carry them all.
 * Headers, bodies and variables are never logged.
 */
export class RequestLog {
  private readonly fields: Record<string, unknown> = {};
  private bound: Logger | undefined;

  constructor(
    private readonly root: Logger,
    private readonly lines: Logger,
    readonly id: string,
  ) {}

  /**
   * This request's logger. Made on first use: most requests log nothing but their request line,
   * and a child logger per request measured as a real share of a request's CPU time.
   */
  get logger(): Logger {
    return (this.bound ??= this.root.child({ reqId: this.id, ...this.fields }));
  }

  /** Adds fields to the request line and to every later line of the request. */
  bind(fields: Record<string, unknown>): void {
    Object.assign(this.fields, fields);
    this.bound?.setBindings(fields);
  }

  /** The request line, once the response is sent or the client has gone away. */
  finish(method: string | undefined, path: string, status: number, durationMs: number): void {
    const level = levelOf(path, status);
    if (!this.lines.isLevelEnabled(level)) return;
    const line = { reqId: this.id, ...this.fields, method, path, status, durationMs };
    // A 5xx's cause is logged where it happened (error formatter, HTTP error handler, database checks).
    this.lines[level](line, status >= 500 ? 'request failed' : 'request completed');
  }
}

/**
 * The request lines' logger: the root logger without its redaction, which measured as the largest
 * part of writing a line (10 of 16 µs). Redaction matches keys, and a request line has only the
 * keys written here (none of them a secret's); every other line a request logs is redacted as usual.
 */
export function requestLines(root: Logger): Logger {
  return root.child({}, { redact: { paths: [] } });
}

/**
 * Starts the log of a request: gives it an id (see request-id.ts, also sent back in a header) and
 * writes its one line when the response is finished or the connection closes first.
 */
export function startRequestLog(root: Logger, lines: Logger, req: IncomingMessage, res: ServerResponse): RequestLog {
  const log = new RequestLog(root, lines, requestId(req, res));
  const startedAt = Date.now();
  // Read now: a mounted Express router (the playground's assets) rewrites req.url while it serves.
  // Without the query string: GET /graphql?query=…&variables=… would put a request's variables in the log.
  const { method } = req;
  const path = pathOf(req.url);
  let written = false;
  const writeLine = () => {
    if (written) return;
    written = true;
    log.finish(method, path, res.statusCode, Date.now() - startedAt);
  };
  res.once('finish', writeLine);
  res.once('close', writeLine);
  return log;
}
