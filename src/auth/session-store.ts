import type { Pool } from 'pg';
import type { RevokeReason } from '../entities/revoke-reason';
import type { Role } from '../entities/role';
import { batchPerTick } from '../lib/tick-batch';

/** Who a login belongs to: what `me` answers, read with the login in the same query. */
export interface Account {
  readonly id: string;
  readonly email: string;
  readonly createdAt: Date;
  /** As the database has it at this request: a grant or revoke applies from the next one. */
  readonly role: Role;
}

/** The part of a UserLogin row (and its user) the session check needs. */
export interface LoginRecord {
  readonly id: string;
  readonly user: Account;
  readonly expiresAt: Date;
  readonly revokedAt: Date | null;
  /** Why it was revoked (null while active): a rejected request is told. */
  readonly revokedReason: RevokeReason | null;
  readonly lastSeenAt: Date;
}

interface SessionRow {
  id: string;
  user_id: string;
  email: string;
  user_created_at: Date | string;
  role: Role;
  expires_at: Date | string;
  revoked_at: Date | string | null;
  revoked_reason: RevokeReason | null;
  last_seen_at: Date | string;
}

/**
 * The per-request query: primary-key lookups of logins, with their users, as a named prepared
 * statement on the ORM's pool. It runs for every authenticated request, so it skips the ORM's query
 * building and hydration, which the profile showed costing more than the query itself. The logins
 * of requests that arrive together are read by one statement (see `find`).
 */
const SESSION_CHECK = {
  name: 'session-check',
  text: `select l.id, l.user_id, u.email, u.created_at as user_created_at, u.role, l.expires_at, l.revoked_at, l.revoked_reason, l.last_seen_at
         from user_logins l join users u on u.id = l.user_id
         where l.id = any($1::uuid[])`,
};

/**
 * How many logins one statement reads at most. Under load the requests of one event-loop turn share
 * a statement; past this many, another one starts at once, so no request waits on a long batch.
 */
const MAX_LOGINS_PER_CHECK = 64;

/** Writes `lastSeenAt` unless a write less than an interval old beat it (another instance, say). */
const SESSION_TOUCH = {
  name: 'session-touch',
  text: `update user_logins set last_seen_at = $2 where id = $1 and last_seen_at <= $3`,
};

// The ORM's pool reads timestamps as strings (so it can apply its own time zone rules).
const toDate = (value: Date | string) => (value instanceof Date ? value : new Date(value));

/** Where sessions are read and touched: the login rows, read fresh every time (no cache). */
export interface SessionStore {
  find(loginId: string): Promise<LoginRecord | null>;
  /** Writes `lastSeenAt`, unless a write less than `intervalMs` older than `seenAt` beat it. */
  touch(loginId: string, seenAt: Date, intervalMs: number): Promise<void>;
}

function loginRecordOf(row: SessionRow): LoginRecord {
  return {
    id: row.id,
    user: { id: row.user_id, email: row.email, createdAt: toDate(row.user_created_at), role: row.role },
    expiresAt: toDate(row.expires_at),
    revokedAt: row.revoked_at === null ? null : toDate(row.revoked_at),
    revokedReason: row.revoked_reason,
    lastSeenAt: toDate(row.last_seen_at),
  };
}

export function createSessionStore(pool: Pool): SessionStore {
  // Every request still reads its login after it arrived: a batch is read once the turn in which
  // its requests came in is over, never from an earlier read. One round trip instead of one per
  // request is what makes the check cheap under load (bench/RESULTS.md, issue 13).
  const findLogins = batchPerTick(async (loginIds: string[]) => {
    const { rows } = await pool.query<SessionRow>({ ...SESSION_CHECK, values: [loginIds] });
    return new Map(rows.map((row) => [row.id, loginRecordOf(row)]));
  }, MAX_LOGINS_PER_CHECK);
  return {
    async find(loginId) {
      // As PostgreSQL writes a uuid, so that the row read is found by its id.
      return (await findLogins(loginId.toLowerCase())) ?? null;
    },
    async touch(loginId, seenAt, intervalMs) {
      await pool.query({ ...SESSION_TOUCH, values: [loginId, seenAt, new Date(seenAt.getTime() - intervalMs)] });
    },
  };
}
