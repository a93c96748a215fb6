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
