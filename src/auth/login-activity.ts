import type { EntityManager } from '@mikro-orm/postgresql';
import { registerEnumType } from 'type-graphql';
import { isUuid } from './tokens';

/**
 * The login activity message: what happened to a user's logins (kind), the ids-only notice that
 * carries it between server instances, and its publication in the transaction of the change. The
 * rules that change logins (logins.ts) emit it; the live layer listens for it.
 */

export enum LoginActivityKind {
  /** A new login (login or register) */
  LOGIN = 'LOGIN',
  /** A login stopped being accepted: revoked, for any reason, or its token expired */
  REVOKED = 'REVOKED',
}

registerEnumType(LoginActivityKind, {
  name: 'LoginActivityKind',
  description: 'What happened to a login.',
  valuesConfig: {
    LOGIN: { description: 'A new login of yours (login or register), on any device.' },
    REVOKED: {
      description:
        'One of your logins stopped being accepted: revoked for any RevokeReason (logoutDevice, logout, logoutAll, a password change, the idle timeout...), or (for the login of this subscription only) its token expired.',
    },
  },
});

/**
 * What travels between server instances through PostgreSQL NOTIFY: ids only. Each instance loads
 * what it sends to its subscribers from the database, so a notification can neither carry stale
 * data nor leak any (anyone who can LISTEN on the database can read it).
 */
export interface LoginActivityNotice {
  readonly kind: LoginActivityKind;
  readonly userId: string;
  /** Never empty. */
  readonly loginIds: readonly string[];
}

export const LOGIN_ACTIVITY_CHANNEL = 'login_activity';

/** The payload format; an instance ignores payloads of a version it does not know (rolling deploys). */
const FORMAT_VERSION = 1;

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more (the default build). */
export const NOTIFY_PAYLOAD_LIMIT_BYTES = 8000;

/**
 * A UUID takes 39 bytes in the payload (quotes and comma), so 150 ids come to about 6 KB, well under
 * the limit; a unit test checks the worst case. logoutAll of many logins sends several notifications.
 */
export const MAX_LOGIN_IDS_PER_NOTIFICATION = 150;

interface Payload {
  v: number;
  kind: string;
  userId: string;
  loginIds: string[];
}

/** One payload per chunk of login ids, each under the NOTIFY limit. */
export function encodeNotice(notice: LoginActivityNotice): string[] {
  const payloads: string[] = [];
  for (let start = 0; start < notice.loginIds.length; start += MAX_LOGIN_IDS_PER_NOTIFICATION) {
    const payload: Payload = {
      v: FORMAT_VERSION,
      kind: notice.kind,
      userId: notice.userId,
      loginIds: notice.loginIds.slice(start, start + MAX_LOGIN_IDS_PER_NOTIFICATION),
    };
    payloads.push(JSON.stringify(payload));
  }
  return payloads;
}

const KINDS = new Set<string>(Object.values(LoginActivityKind));

function isPayload(value: unknown): value is Payload {
  if (typeof value !== 'object' || value === null) return false;
  const { v, kind, userId, loginIds } = value as Record<string, unknown>;
  return (
    v === FORMAT_VERSION &&
    typeof kind === 'string' &&
    KINDS.has(kind) &&
    typeof userId === 'string' &&
    isUuid(userId) &&
    Array.isArray(loginIds) &&
    loginIds.length > 0 &&
    loginIds.every((id) => typeof id === 'string' && isUuid(id))
  );
}

/** Null for anything that is not a payload of this format (another version, or someone else's NOTIFY). */
export function decodeNotice(payload: string): LoginActivityNotice | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return null;
  }
  if (!isPayload(parsed)) return null;
  return { kind: parsed.kind as LoginActivityKind, userId: parsed.userId, loginIds: parsed.loginIds };
}

/**
 * Sends the notices to every server instance, on the caller's EntityManager. Called inside the
 * transaction of the change: PostgreSQL delivers a NOTIFY only when its transaction commits, so
 * subscribers never hear of a change that was rolled back, and always hear of one that was not.
 */
export async function publishLoginActivity(em: EntityManager, ...notices: LoginActivityNotice[]): Promise<void> {
  const payloads = notices.flatMap(encodeNotice);
  if (payloads.length === 0) return;
  // One statement for every chunk, so a logoutAll of many logins (or a sweep of many users') costs one round trip.
  const rows = payloads.map(() => '(?)').join(', ');
  await em.execute(`select pg_notify('${LOGIN_ACTIVITY_CHANNEL}', payload) from (values ${rows}) as notices (payload)`, payloads);
}
