import type { Pool } from 'pg';
import type { LoginRecord } from './session';

interface SessionRow {
  user_id: string;
  email: string;
  user_created_at: Date | string;
  expires_at: Date | string;
  revoked_at: Date | string | null;
  last_seen_at: Date | string;
}

/**
 * The per-request query: one primary-key lookup of the login, with its user, as a named prepared
 * statement on a pooled connection. It runs on every authenticated request, so it skips the ORM's
 * query building and hydration, which the profile showed costing more than the query itself.
 */
const SESSION_CHECK = {
  name: 'session-check',
  text: `select l.user_id, u.email, u.created_at as user_created_at, l.expires_at, l.revoked_at, l.last_seen_at
         from user_logins l join users u on u.id = l.user_id
         where l.id = $1`,
};

// The ORM's connections read timestamps as strings (so it can apply its own time zone rules).
const toDate = (value: Date | string) => (value instanceof Date ? value : new Date(value));

export type LoginLookup = (loginId: string) => Promise<LoginRecord | null>;

export function createLoginLookup(pool: Pool): LoginLookup {
  return async (loginId) => {
    const { rows } = await pool.query<SessionRow>({ ...SESSION_CHECK, values: [loginId] });
    const row = rows[0];
    if (!row) return null;
    return {
      id: loginId,
      user: { id: row.user_id, email: row.email, createdAt: toDate(row.user_created_at) },
      expiresAt: toDate(row.expires_at),
      revokedAt: row.revoked_at === null ? null : toDate(row.revoked_at),
      lastSeenAt: toDate(row.last_seen_at),
    };
  };
}
