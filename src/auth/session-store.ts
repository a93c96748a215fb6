import type { Pool } from 'pg';
import type { RevokeReason } from '../entities/revoke-reason';
import { LAST_SEEN_INTERVAL_MS } from '../limits';

/** Who a login belongs to: what `me` answers, read with the login in the same query. */
export interface Account {
  readonly id: string;
  readonly email: string;
  readonly createdAt: Date;
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
  user_id: string;
  email: string;
  user_created_at: Date | string;
  expires_at: Date | string;
  revoked_at: Date | string | null;
  revoked_reason: RevokeReason | null;
  last_seen_at: Date | string;
}

/**
 * The per-request query: one primary-key lookup of the login, with its user, as a named prepared
 * statement on the ORM's pool. It runs on every authenticated request, so it skips the ORM's query
 * building and hydration, which the profile showed costing more than the query itself.
 */
const SESSION_CHECK = {
  name: 'session-check',
  text: `select l.user_id, u.email, u.created_at as user_created_at, l.expires_at, l.revoked_at, l.revoked_reason, l.last_seen_at
         from user_logins l join users u on u.id = l.user_id
         where l.id = $1`,
};

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
  touch(loginId: string, seenAt: Date): Promise<void>;
}

export function createSessionStore(pool: Pool): SessionStore {
  return {
    async find(loginId) {
      const { rows } = await pool.query<SessionRow>({ ...SESSION_CHECK, values: [loginId] });
      const row = rows[0];
      if (!row) return null;
      return {
        id: loginId,
        user: { id: row.user_id, email: row.email, createdAt: toDate(row.user_created_at) },
        expiresAt: toDate(row.expires_at),
        revokedAt: row.revoked_at === null ? null : toDate(row.revoked_at),
        revokedReason: row.revoked_reason,
        lastSeenAt: toDate(row.last_seen_at),
      };
    },
    async touch(loginId, seenAt) {
      await pool.query({ ...SESSION_TOUCH, values: [loginId, seenAt, new Date(seenAt.getTime() - LAST_SEEN_INTERVAL_MS)] });
    },
  };
}
