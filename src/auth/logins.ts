import type { EntityManager, QBFilterQuery } from '@mikro-orm/postgresql';
import { RevokeReason } from '../entities/revoke-reason';
import { User } from '../entities/user.entity';
import { UserLogin } from '../entities/user-login.entity';
import { LoginActivityKind } from '../live/login-activity-kind';
import { publishLoginActivity } from '../live/publish';
import type { ClientInfo } from './client-info';
import { LAST_SEEN_INTERVAL_MS } from './last-seen';

/**
 * The rules of a user's logins: opening one per device, revoking, listing. Every change is
 * announced to all server instances (LOGIN, REVOKED) in the transaction that makes it.
 */

export interface NewLoginTerms {
  readonly now: Date;
  readonly expiresAt: Date;
  /** Beyond this many active logins, the user's oldest are revoked (LOGIN_LIMIT). */
  readonly maxActiveLogins: number;
}

/**
 * Inside the caller's transaction: revokes the user's active login from the same IP address and
 * user agent (REPLACED), adds the new one, and revokes the oldest beyond the active-login limit
 * (LOGIN_LIMIT). The partial unique index `user_logins_one_active_per_device` guarantees at most
 * one active login per device.
 */
export async function addLoginInTransaction(
  tx: EntityManager,
  userId: string,
  client: ClientInfo,
  { now, expiresAt, maxActiveLogins }: NewLoginTerms,
): Promise<UserLogin> {
  // Simultaneous logins of one user queue here until the previous one commits, so each sees the
  // one before it: a same-device login replaces it instead of colliding on the unique index, and
  // the active-login count is exact.
  await tx.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [userId]);
  await revokeInTransaction(tx, userId, { ipAddress: client.ipAddress, userAgent: client.userAgent }, RevokeReason.REPLACED, now);
  const login = new UserLogin({ user: tx.getReference(User, userId, { wrapped: true }), ...client, createdAt: now, expiresAt });
  await tx.persist(login).flush();
  await publishLoginActivity(tx, { kind: LoginActivityKind.LOGIN, userId, loginIds: [login.id] });

  const overLimit = await tx.find(
    UserLogin,
    { user: userId, revokedAt: null, expiresAt: { $gt: now } },
    { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], offset: maxActiveLogins, fields: ['id'] },
  );
  if (overLimit.length > 0) {
    await revokeInTransaction(tx, userId, { id: { $in: overLimit.map((old) => old.id) } }, RevokeReason.LOGIN_LIMIT, now);
  }
  return login;
}

/** Opens a login for the user in its own transaction. */
export async function openLogin(em: EntityManager, userId: string, client: ClientInfo, terms: NewLoginTerms): Promise<UserLogin> {
  return em.transactional((tx) => addLoginInTransaction(tx, userId, client, terms));
}

/** Writes `lastSeenAt` unless a write less than an interval old beat it (another instance, say). */
export async function recordLastSeen(em: EntityManager, loginId: string, seenAt: Date): Promise<void> {
  await em.nativeUpdate(
    UserLogin,
    { id: loginId, lastSeenAt: { $lte: new Date(seenAt.getTime() - LAST_SEEN_INTERVAL_MS) } },
    { lastSeenAt: seenAt },
  );
}

/**
 * Revokes the user's active logins that match `where`, inside the caller's transaction, and announces
 * them (REVOKED) to every server instance; returns their ids.
 */
async function revokeInTransaction(
  tx: EntityManager,
  userId: string,
  where: QBFilterQuery<UserLogin>,
  reason: RevokeReason,
  now: Date,
): Promise<string[]> {
  const rows: Array<Pick<UserLogin, 'id'>> = await tx
    .createQueryBuilder(UserLogin)
    .update({ revokedAt: now, revokedReason: reason })
    .where({ $and: [where, { user: userId, revokedAt: null }] })
    .returning('id')
    .execute('all');
  const loginIds = rows.map((row) => row.id);
  if (loginIds.length > 0) await publishLoginActivity(tx, { kind: LoginActivityKind.REVOKED, userId, loginIds });
  return loginIds;
}

export type RevokeOutcome = 'revoked' | 'already-revoked' | 'not-found';

/** Revokes one of the user's logins. A login of another user is reported as not found. */
export async function revokeLogin(
  em: EntityManager,
  userId: string,
  loginId: string,
  now: Date,
): Promise<RevokeOutcome> {
  const revoked = await em.transactional((tx) => revokeInTransaction(tx, userId, { id: loginId }, RevokeReason.LOGOUT, now));
  if (revoked.length > 0) return 'revoked';
  const exists = await em.count(UserLogin, { id: loginId, user: userId });
  return exists > 0 ? 'already-revoked' : 'not-found';
}

/** Revokes every active login of the user (optionally all but one) in one statement; returns how many. */
export async function revokeAllLogins(
  em: EntityManager,
  userId: string,
  now: Date,
  options: { keepLoginId?: string } = {},
): Promise<number> {
  const where: QBFilterQuery<UserLogin> = {
    expiresAt: { $gt: now },
    ...(options.keepLoginId ? { id: { $ne: options.keepLoginId } } : {}),
  };
  const revoked = await em.transactional((tx) => revokeInTransaction(tx, userId, where, RevokeReason.LOGOUT_ALL, now));
  return revoked.length;
}

/** The user's logins, newest first: the active ones, or all of them. */
export async function listLogins(
  em: EntityManager,
  userId: string,
  { includeRevoked, now }: { includeRevoked: boolean; now: Date },
): Promise<UserLogin[]> {
  return em.find(
    UserLogin,
    includeRevoked ? { user: userId } : { user: userId, revokedAt: null, expiresAt: { $gt: now } },
    { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] },
  );
}
