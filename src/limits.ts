/**
 * Fixed limits and intervals of the server, each defined once: the code that enforces a limit, the
 * errors that name it and the schema descriptions that document it all read it here.
 */

/** The largest request body read; a larger one is answered 413 PAYLOAD_TOO_LARGE. */
export const REQUEST_BODY_LIMIT_BYTES = 1024 * 1024;

export const MAX_EMAIL_LENGTH = 254;
export const MIN_PASSWORD_CHARACTERS = 8;
/** bcrypt ignores every byte past the 72nd, so a longer password is refused rather than cut. */
export const MAX_PASSWORD_BYTES = 72;

/**
 * Bounds that turn an unreachable database into a quick error instead of a hanging request: opening
 * a connection (node-postgres' `connectionTimeoutMillis`, which also bounds the wait for a free
 * pooled one) and waiting for an answer (the client-side `query_timeout` also covers a network that
 * silently drops packets, which the server-side `statement_timeout` cannot see).
 */
export const DATABASE_TIMEOUTS_MS = { connect: 3_000, query: 5_000 } as const;

/**
 * A /metrics scrape waits this long for the job queue's counts, then leaves them out: well within
 * Prometheus' default 10 s scrape timeout while the database is away (connect alone may take 3 s).
 */
export const METRICS_QUEUE_COUNTS_TIMEOUT_MS = 2_000;

/** A stored User-Agent is cut to this many characters (the device label is read from the whole header). */
export const MAX_STORED_USER_AGENT_LENGTH = 512;

/** `myLogins(first:)`: how many logins one list returns by default, and at most. */
export const LOGINS_PAGE = { default: 100, max: 500 } as const;

/** `mySecurityEvents(first:)`: a page of the security log, by default and at most. */
export const SECURITY_EVENTS_PAGE = { default: 20, max: 100 } as const;

/**
 * List items one operation may ask for, summed over its list fields (`first`, or its default; a
 * variable counts as the largest it may be): what the cost limit counts besides armor's field cost.
 */
export const MAX_LIST_ITEMS_PER_OPERATION = 1000;

/** How often an instance tries to delete history older than HISTORY_RETENTION (one instance does it at a time). */
export const HISTORY_PRUNE_INTERVAL_MS = 60 * 60 * 1000;

/** `lastSeenAt` may lag by up to this much: at most one write per login per interval. */
export const LAST_SEEN_INTERVAL_MS = 60_000;

/** "1 MB", "64 KB", "512 bytes": a size as messages and descriptions state it. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${bytes} bytes`;
}

/** "60 s", "500 ms": a duration as messages and descriptions state it. */
export function formatMilliseconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
