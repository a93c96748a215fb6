import type { QueryOrderMap } from '@mikro-orm/core';
import type { EntityManager, MikroORM, QBFilterQuery } from '@mikro-orm/postgresql';
import { RevokeReason } from '../entities/revoke-reason';
import { SecurityEventKind, type EventSource } from '../entities/security-event.entity';
import { User } from '../entities/user.entity';
import { UserLogin } from '../entities/user-login.entity';
import type { Meter } from '../metrics';
import type { ClientInfo } from './client-info';
import { LoginActivityKind, publishLoginActivity, type LoginActivityNotice } from './login-activity';
import { deleteInBatches } from './batched-delete';
import { NO_SOURCE, type SecurityEvents } from './security-events';
import type { LoginRecord } from './session-store';

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
   * Runs `work` in a transaction of its own (on a fork of the ORM's EntityManager). The revocations
   * that the `…InTransaction` methods make in it are counted (login_activity_revocations_total) once
   * it has committed, and never if it rolls back: open every transaction that may revoke with this.
   */
  transactional<T>(work: (tx: EntityManager) => Promise<T>): Promise<T>;
  /**
   * Inside the caller's transaction (register's, which creates the user too; logIn's, which has
   * checked that the password is unchanged): revokes the user's active login from the same IP
   * address and user agent (REPLACED), adds the new one, and revokes the oldest beyond the
   * active-login limit (LOGIN_LIMIT).
   */
  openInTransaction(tx: EntityManager, userId: string, client: ClientInfo, terms: LoginTerms): Promise<UserLogin>;
  /**
   * Revokes one of the user's logins (LOGOUT, or `reason`), the request `source` recorded in its
   * LOGIN_REVOKED event. A login of another user is reported as not found.
   */
  revoke(userId: string, loginId: string, source: EventSource, now: Date, reason?: RevokeReason): Promise<RevokeOutcome>;
  /** Revokes a login of whichever user (an administrator's revokeLoginOfUser: ADMIN), recorded in that user's log. */
  revokeOfAnyUser(loginId: string, reason: RevokeReason, source: EventSource, now: Date): Promise<RevokeOutcome>;
  /** Inside the caller's transaction: revokes one active login of the user with `reason`; true when it did. */
  revokeInTransaction(tx: EntityManager, userId: string, loginId: string, reason: RevokeReason, source: EventSource, now: Date): Promise<boolean>;
  /** Revokes every active login of the user (optionally all but one) in one statement, LOGOUT_ALL or `reason`; returns how many. */
  revokeAll(userId: string, source: EventSource, now: Date, options?: { keepLoginId?: string; reason?: RevokeReason }): Promise<number>;
  /** revokeAll inside the caller's transaction (changePassword's, which sets the password too), with its reason. */
  revokeAllInTransaction(
    tx: EntityManager,
    userId: string,
    reason: RevokeReason,
    source: EventSource,
    now: Date,
    options?: { keepLoginId?: string },
  ): Promise<number>;
  /**
   * Inside the caller's transaction (deleteAccount's): deletes every login of the user, and
   * announces the active ones as REVOKED, so their sockets close.
   */
  deleteAllInTransaction(tx: EntityManager, userId: string, now: Date): Promise<void>;
  /** Revokes the login with IDLE_TIMEOUT if it is active and was last seen before `idleBefore`; true when it did. */
  revokeIdle(login: LoginRecord, idleBefore: Date, now: Date): Promise<boolean>;
  /**
   * Revokes (IDLE_TIMEOUT) every active, unexpired login last seen before `idleBefore`; returns how
   * many, or null when another instance is sweeping right now.
   */
  sweepIdle(idleBefore: Date, now: Date): Promise<number | null>;
  /** The user's newest `first` logins, newest first: the active ones, or all of them. */
  list(userId: string, options: { includeRevoked: boolean; first: number; now: Date }): Promise<UserLogin[]>;
  /**
   * Deletes the logins revoked, and the security events recorded, before `before`; returns how many,
   * or null when another instance is doing it right now (an advisory lock: N instances prune once,
   * not N times at once).
   */
  pruneHistory(before: Date): Promise<{ logins: number; events: number } | null>;
  /** The user's logins with these ids, as the database has them now. */
  load(userId: string, loginIds: readonly string[]): Promise<UserLogin[]>;
}

/** The advisory locks' names: one instance prunes, and one sweeps idle logins, at a time. */
const PRUNE_LOCK = 'login-activity:history-pruning';
const IDLE_SWEEP_LOCK = 'login-activity:idle-sweep';
const IDLE_SWEEP_BATCH = 1000;

/**
 * Takes the user's lock until the caller's transaction ends. Whatever changes a user's logins or
 * password takes it first, so those changes run one after another: a login opened after a password
 * change sees it, and one opened before it is revoked by it.
 */
export async function lockAccount(tx: EntityManager, userId: string): Promise<void> {
  await tx.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [userId]);
}

/** Runs `work` in a transaction of its own, under an advisory lock that one instance at a time holds; null when another holds it. */
async function withTryLock<T>(orm: MikroORM, lock: string, work: (tx: EntityManager) => Promise<T>): Promise<T | null> {
  return orm.em.fork().transactional(async (tx) => {
    const [row] = await tx.execute<Array<{ locked: boolean }>>(`select pg_try_advisory_xact_lock(hashtextextended('${lock}', 0)) as locked`);
    return row?.locked ? work(tx) : null;
  });
}

const NEWEST_FIRST: Array<QueryOrderMap<UserLogin>> = [{ createdAt: 'desc' }, { id: 'desc' }];

/**
 * The revocations of each transaction opened with Logins.transactional, by reason: counted once it
 * commits, dropped with it if it rolls back. Revocations in any other transaction are not counted.
 */
const uncommitted = new WeakMap<EntityManager, Map<RevokeReason, number>>();

/**
 * Revokes the user's active logins that match `where`, inside the caller's transaction, records a
 * LOGIN_REVOKED event for each (caused by `source`), and announces them (REVOKED) to every server
 * instance; returns their ids.
 */
async function revokeInTransaction(
  tx: EntityManager,
  events: SecurityEvents,
  userId: string,
  where: QBFilterQuery<UserLogin>,
  reason: RevokeReason,
  source: EventSource,
  now: Date,
): Promise<string[]> {
  const rows: Array<Pick<UserLogin, 'id'>> = await tx
    .createQueryBuilder(UserLogin)
    .update({ revokedAt: now, revokedReason: reason })
    .where({ $and: [where, { user: userId, revokedAt: null }] })
    .returning('id')
    .execute('all');
  const loginIds = rows.map((row) => row.id);
  if (loginIds.length === 0) return loginIds;
  await events.recordInTransaction(
    tx,
    loginIds.map((loginId) => ({ userId, kind: SecurityEventKind.LOGIN_REVOKED, at: now, source, loginId, revokedReason: reason })),
  );
  await publishLoginActivity(tx, { kind: LoginActivityKind.REVOKED, userId, loginIds });
  const tally = uncommitted.get(tx);
  tally?.set(reason, (tally.get(reason) ?? 0) + loginIds.length);
  return loginIds;
}

/** REVOKED notices for revoked rows of many users: one per user. */
function noticesByUser(rows: ReadonlyArray<{ id: string; user_id: string }>): LoginActivityNotice[] {
  const byUser = new Map<string, string[]>();
  for (const { id, user_id: userId } of rows) byUser.set(userId, [...(byUser.get(userId) ?? []), id]);
  return [...byUser].map(([userId, loginIds]) => ({ kind: LoginActivityKind.REVOKED, userId, loginIds }));
}

/** Revokes the user's active, unexpired logins (all but `keepLoginId`) with `reason`; returns how many. */
async function revokeAllInTransaction(
  tx: EntityManager,
  events: SecurityEvents,
  userId: string,
  reason: RevokeReason,
  source: EventSource,
  now: Date,
  { keepLoginId }: { keepLoginId?: string } = {},
): Promise<number> {
  const where: QBFilterQuery<UserLogin> = { expiresAt: { $gt: now }, ...(keepLoginId ? { id: { $ne: keepLoginId } } : {}) };
  return (await revokeInTransaction(tx, events, userId, where, reason, source, now)).length;
}

/**
 * @param maxActiveLogins beyond this many active logins, the user's oldest are revoked (LOGIN_LIMIT).
 * @param meter counts revocations, on the instance that made them (a NOTIFY reaches every instance).
 */
export function createLogins(
  orm: MikroORM,
  { maxActiveLogins, events, meter }: { readonly maxActiveLogins: number; readonly events: SecurityEvents; readonly meter: Meter },
): Logins {
  async function transactional<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    const revoked = new Map<RevokeReason, number>();
    const result = await orm.em.fork().transactional((tx) => {
      uncommitted.set(tx, revoked);
      return work(tx);
    });
    for (const [reason, count] of revoked) meter.revoked(reason, count);
    return result;
  }

  async function openInTransaction(tx: EntityManager, userId: string, client: ClientInfo, { now, expiresAt }: LoginTerms) {
    // Simultaneous logins of one user queue here until the previous one commits, so each sees the
    // one before it: a same-device login replaces it instead of colliding on the unique index
    // `user_logins_one_active_per_device`, and the active-login count is exact.
    await lockAccount(tx, userId);
    await revokeInTransaction(
      tx,
      events,
      userId,
      { ipAddress: client.ipAddress, userAgent: client.userAgent },
      RevokeReason.REPLACED,
      client,
      now,
    );
    const login = new UserLogin({ user: tx.getReference(User, userId, { wrapped: true }), ...client, createdAt: now, expiresAt });
    await tx.persist(login).flush();
    await events.recordInTransaction(tx, [{ userId, kind: SecurityEventKind.LOGIN, at: now, source: client, loginId: login.id }]);
    await publishLoginActivity(tx, { kind: LoginActivityKind.LOGIN, userId, loginIds: [login.id] });

    const overLimit = await tx.find(
      UserLogin,
      { user: userId, revokedAt: null, expiresAt: { $gt: now } },
      { orderBy: NEWEST_FIRST, offset: maxActiveLogins, fields: ['id'] },
    );
    if (overLimit.length > 0) {
      await revokeInTransaction(tx, events, userId, { id: { $in: overLimit.map((old) => old.id) } }, RevokeReason.LOGIN_LIMIT, client, now);
    }
    return login;
  }

  return {
    transactional,
    openInTransaction,

    async revoke(userId, loginId, source, now, reason = RevokeReason.LOGOUT) {
      const em = orm.em.fork();
      const revoked = await transactional((tx) => revokeInTransaction(tx, events, userId, { id: loginId }, reason, source, now));
      if (revoked.length > 0) return 'revoked';
      const exists = await em.count(UserLogin, { id: loginId, user: userId });
      return exists > 0 ? 'already-revoked' : 'not-found';
    },

    async revokeOfAnyUser(loginId, reason, source, now) {
      const em = orm.em.fork();
      const login = await em.findOne(UserLogin, { id: loginId }, { fields: ['user'] });
      if (!login) return 'not-found';
      const revoked = await transactional((tx) => revokeInTransaction(tx, events, login.user.id, { id: loginId }, reason, source, now));
      return revoked.length > 0 ? 'revoked' : 'already-revoked';
    },

    async revokeAll(userId, source, now, { reason = RevokeReason.LOGOUT_ALL, ...options } = {}) {
      return transactional((tx) => revokeAllInTransaction(tx, events, userId, reason, source, now, options));
    },

    revokeInTransaction: async (tx, userId, loginId, reason, source, now) =>
      (await revokeInTransaction(tx, events, userId, { id: loginId }, reason, source, now)).length > 0,

    revokeAllInTransaction: (tx, userId, reason, source, now, options) =>
      revokeAllInTransaction(tx, events, userId, reason, source, now, options),

    async deleteAllInTransaction(tx, userId, now) {
      const rows = await tx.execute<Array<{ id: string; active: boolean }>>(
        'delete from user_logins where user_id = ? returning id, (revoked_at is null and expires_at > ?) as active',
        [userId, now],
      );
      const active = rows.filter((row) => row.active).map((row) => row.id);
      if (active.length > 0) await publishLoginActivity(tx, { kind: LoginActivityKind.REVOKED, userId, loginIds: active });
    },

    async revokeIdle(login, idleBefore, now) {
      const revoked = await transactional((tx) =>
        revokeInTransaction(
          tx,
          events,
          login.user.id,
          { id: login.id, lastSeenAt: { $lte: idleBefore } },
          RevokeReason.IDLE_TIMEOUT,
          NO_SOURCE,
          now,
        ),
      );
      return revoked.length > 0;
    },

    sweepIdle: (idleBefore, now) =>
      withTryLock(orm, IDLE_SWEEP_LOCK, async (tx) => {
        let revoked = 0;
        for (;;) {
          // `user_logins_active_last_seen_idx` finds them; a login past its expiry is left as expired.
          const batch = await tx.execute<Array<{ id: string; user_id: string }>>(
            `update user_logins set revoked_at = ?, revoked_reason = ?
             where id in (select id from user_logins where revoked_at is null and last_seen_at <= ? and expires_at > ? limit ${IDLE_SWEEP_BATCH})
             returning id, user_id`,
            [now, RevokeReason.IDLE_TIMEOUT, idleBefore, now],
          );
          await events.recordInTransaction(
            tx,
            batch.map((row) => ({
              userId: row.user_id,
              kind: SecurityEventKind.LOGIN_REVOKED,
              at: now,
              source: NO_SOURCE,
              loginId: row.id,
              revokedReason: RevokeReason.IDLE_TIMEOUT,
            })),
          );
          await publishLoginActivity(tx, ...noticesByUser(batch));
          revoked += batch.length;
          if (batch.length < IDLE_SWEEP_BATCH) return revoked;
        }
      }).then((revoked) => {
        // Counted once the sweep's transaction has committed.
        if (revoked !== null) meter.revoked(RevokeReason.IDLE_TIMEOUT, revoked);
        return revoked;
      }),

    list: (userId, { includeRevoked, first, now }) =>
      orm.em
        .fork()
        .find(UserLogin, includeRevoked ? { user: userId } : { user: userId, revokedAt: null, expiresAt: { $gt: now } }, {
          orderBy: NEWEST_FIRST,
          limit: first,
        }),

    pruneHistory: (before) =>
      withTryLock(orm, PRUNE_LOCK, async (tx) => {
        const logins = await deleteInBatches(tx, 'user_logins', 'revoked_at < ?', [before]);
        return { logins, events: await events.pruneInTransaction(tx, before) };
      }),

    load: (userId, loginIds) => orm.em.fork().find(UserLogin, { id: { $in: [...loginIds] }, user: userId }),
  };
}
