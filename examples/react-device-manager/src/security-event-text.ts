import type { RevokeReason, SecurityEventFieldsFragment, SecurityEventKind } from '../../../sdk/generated/graphql';
import { locationLabel } from './location-label';

/** The fields an event's line is made of. */
export type SecurityEventView = Pick<SecurityEventFieldsFragment, 'kind' | 'device' | 'ipAddress' | 'location' | 'revokedReason'> & {
  readonly login: Pick<NonNullable<SecurityEventFieldsFragment['login']>, 'device'> | null;
};

/** One line of the security log, before its time: what happened, then where the request came from. */
export interface SecurityEventText {
  /** "New sign-in", "Signed out (Password changed)". */
  readonly what: string;
  /** In reading order, empty ones left out: "Chrome 130 on macOS", "127.0.0.1", "Frankfurt am Main, Germany". */
  readonly details: readonly string[];
}

/**
 * Looked up by string, not by the generated unions: a newer server may send a kind or a reason this
 * build does not know, which then reads as the fallback. `satisfies` still makes the compiler list
 * every one it does know.
 */
const WHAT: Readonly<Record<string, string>> = {
  LOGIN: 'New sign-in',
  LOGIN_FAILED: 'Wrong password',
  LOGIN_THROTTLED: 'Sign-in attempt blocked (too many tries)',
  LOGIN_REVOKED: 'Signed out',
  PASSWORD_CHANGED: 'Password changed',
  NEW_DEVICE_ALERT: 'New-device email sent',
} satisfies Record<SecurityEventKind, string>;

const REVOKED_BECAUSE: Readonly<Record<string, string>> = {
  LOGOUT: 'Logged out',
  LOGOUT_ALL: 'All devices logged out',
  REPLACED: 'Signed in again',
  LOGIN_LIMIT: 'Too many devices',
  PASSWORD_CHANGED: 'Password changed',
  IDLE_TIMEOUT: 'Idle',
  NOT_ME: 'Not me',
  ADMIN: 'By an administrator',
} satisfies Record<RevokeReason, string>;

function whatHappened(event: SecurityEventView): string {
  const what = WHAT[event.kind] ?? 'Account activity';
  const because = event.kind === 'LOGIN_REVOKED' && event.revokedReason !== null ? REVOKED_BECAUSE[event.revokedReason] : undefined;
  return because ? `${what} (${because})` : what;
}

/**
 * An event's device, IP address and location are those of the request that caused it. For a
 * sign-out that is often another device than the one signed out (Log out on another row, a password
 * change), so the line names the device signed out first, then "by" the one that did it.
 */
export function securityEventText(event: SecurityEventView): SecurityEventText {
  const signedOut = event.kind === 'LOGIN_REVOKED' ? event.login?.device : undefined;
  const source = signedOut && signedOut !== event.device ? [signedOut, event.device && `by ${event.device}`] : [event.device];
  const details = [...source, event.ipAddress, locationLabel(event.location)];
  return { what: whatHappened(event), details: details.filter((part): part is string => Boolean(part)) };
}
