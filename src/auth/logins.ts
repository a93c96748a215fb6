import type { QueryOrderMap } from '@mikro-orm/core';
import type { EntityManager, MikroORM, QBFilterQuery } from '@mikro-orm/postgresql';
import { RevokeReason } from '../entities/revoke-reason';
import { User } from '../entities/user.entity';
import { UserLogin } from '../entities/user-login.entity';
import type { ClientInfo } from './client-info';
import { LoginActivityKind, publishLoginActivity } from './login-activity';

/** When a new login starts, and when it (and its token) stops being accepted. */
export interface LoginTerms {
  readonly now: Date;
  readonly expiresAt: Date;
}

export type RevokeOutcome = 'revoked' | 'already-revoked' | 'not-found';

/**
 * The rules of a user's logins, built once: opening one per device, revoking, listing. Every change
 * is announced to all server instances (LOGIN, REVOKED) in the transaction that makes it. Each call
 * is a unit of work of its own, on a fork of the ORM's EntityManager.
 */
export interface Logins {
  /**
   * Inside the caller's transaction (register's, which creates the user too): revokes the user's
   * active login from the same IP address and user agent (REPLACED), adds the new one, and revokes
   * the oldest beyond the active-login limit (LOGIN_LIMIT).
   */
  openInTransaction(tx: EntityManager, userId: string, client: ClientInfo, terms: LoginTerms): Promise<UserLogin>;
  /** Opens a login for the user in a transaction of its own. */
  open(userId: string, client: ClientInfo, terms: LoginTerms): Promise<UserLogin>;
  /** Revokes one of the user's logins. A login of another user is reported as not found. */
  revoke(userId: string, loginId: string, now: Date): Promise<RevokeOutcome>;
  /** Revokes every active login of the user (optionally all but one) in one statement; returns how many. */
  revokeAll(userId: string, now: Date, options?: { keepLoginId?: string }): Promise<number>;
  /** The user's newest `first` logins, newest first: the active ones, or all of them. */
  list(userId: string, options: { includeRevoked: boolean; first: number; now: Date }): Promise<UserLogin[]>;
  /**
   * Deletes the logins revoked before `before`; returns how many, or null when another instance is
   * doing it right now (an advisory lock: N instances prune once, not N times at once).
   */
  pruneRevoked(before: Date): Promise<number | null>;
  /** The user's logins with these ids, as the database has them now. */
  load(userId: string, loginIds: readonly string[]): Promise<UserLogin[]>;
}

const PRUNE_BATCH = 1000;
/** The advisory lock's name: one instance prunes at a time. */
const PRUNE_LOCK = 'login-activity:history-pruning';

const NEWEST_FIRST: Array<QueryOrderMap<UserLogin>> = [{ createdAt: 'desc' }, { id: 'desc' }];

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

/** @param maxActiveLogins beyond this many active logins, the user's oldest are revoked (LOGIN_LIMIT). */
export function createLogins(orm: MikroORM, { maxActiveLogins }: { readonly maxActiveLogins: number }): Logins {
  async function openInTransaction(tx: EntityManager, userId: string, client: ClientInfo, { now, expiresAt }: LoginTerms) {
    // Simultaneous logins of one user queue here until the previous one commits, so each sees the
    // one before it: a same-device login replaces it instead of colliding on the unique index
    // `user_logins_one_active_per_device`, and the active-login count is exact.
    await tx.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [userId]);
    await revokeInTransaction(tx, userId, { ipAddress: client.ipAddress, userAgent: client.userAgent }, RevokeReason.REPLACED, now);
    const login = new UserLogin({ user: tx.getReference(User, userId, { wrapped: true }), ...client, createdAt: now, expiresAt });
    await tx.persist(login).flush();
    await publishLoginActivity(tx, { kind: LoginActivityKind.LOGIN, userId, loginIds: [login.id] });

    const overLimit = await tx.find(
      UserLogin,
      { user: userId, revokedAt: null, expiresAt: { $gt: now } },
      { orderBy: NEWEST_FIRST, offset: maxActiveLogins, fields: ['id'] },
    );
    if (overLimit.length > 0) {
      await revokeInTransaction(tx, userId, { id: { $in: overLimit.map((old) => old.id) } }, RevokeReason.LOGIN_LIMIT, now);
    }
    return login;
  }

  return {
    openInTransaction,

    open: (userId, client, terms) => orm.em.fork().transactional((tx) => openInTransaction(tx, userId, client, terms)),

    async revoke(userId, loginId, now) {
      const em = orm.em.fork();
      const revoked = await em.transactional((tx) => revokeInTransaction(tx, userId, { id: loginId }, RevokeReason.LOGOUT, now));
      if (revoked.length > 0) return 'revoked';
      const exists = await em.count(UserLogin, { id: loginId, user: userId });
      return exists > 0 ? 'already-revoked' : 'not-found';
    },

    async revokeAll(userId, now, { keepLoginId } = {}) {
      const where: QBFilterQuery<UserLogin> = { expiresAt: { $gt: now }, ...(keepLoginId ? { id: { $ne: keepLoginId } } : {}) };
      const revoked = await orm.em
        .fork()
        .transactional((tx) => revokeInTransaction(tx, userId, where, RevokeReason.LOGOUT_ALL, now));
      return revoked.length;
    },

    list: (userId, { includeRevoked, first, now }) =>
      orm.em
        .fork()
        .find(UserLogin, includeRevoked ? { user: userId } : { user: userId, revokedAt: null, expiresAt: { $gt: now } }, {
          orderBy: NEWEST_FIRST,
          limit: first,
        }),

    pruneRevoked: (before) =>
      orm.em.fork().transactional(async (tx) => {
        const [lock] = await tx.execute<Array<{ locked: boolean }>>(
          `select pg_try_advisory_xact_lock(hashtextextended('${PRUNE_LOCK}', 0)) as locked`,
        );
        if (!lock?.locked) return null;
        let deleted = 0;
        for (;;) {
          // Batches keep each statement short on a table that logins write all the time.
          const batch = await tx.execute<Array<{ id: string }>>(
            `delete from user_logins where id in (select id from user_logins where revoked_at < ? limit ${PRUNE_BATCH}) returning id`,
            [before],
          );
          deleted += batch.length;
          if (batch.length < PRUNE_BATCH) return deleted;
        }
      }),

    load: (userId, loginIds) => orm.em.fork().find(UserLogin, { id: { $in: [...loginIds] }, user: userId }),
  };
}
