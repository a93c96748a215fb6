import { UniqueConstraintViolationException, type FilterQuery } from '@mikro-orm/core';
import { GraphQLError } from 'graphql';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { RevokeReason } from '../entities/revoke-reason';
import { SecurityEventKind } from '../entities/security-event.entity';
import { User } from '../entities/user.entity';
import type { UserLogin } from '../entities/user-login.entity';
import { badUserInput, ErrorCode, invalidCredentials, UnauthenticatedReason } from '../errors';
import { MAX_PASSWORD_BYTES } from '../limits';
import type { LoginResult, Meter } from '../metrics';
import type { BcryptQueue } from './bcrypt-queue';
import type { ClientInfo } from './client-info';
import { normalizeEmail, passwordProblem } from './credentials';
import { lockAccount, type LoginTerms, type Logins } from './logins';
import type { NewDeviceAlerts } from './new-device-alerts';
import type { PasswordHasher } from './passwords';
import type { SecurityEvents } from './security-events';
import type { Session, Sessions } from './sessions';
import type { LoginThrottle } from './throttle';

const EMAIL_UNIQUE = 'users_email_unique';

export interface Credentials {
  readonly email: string;
  readonly password: string;
}

/** A new login and the token that carries it. */
export interface Authenticated {
  readonly token: string;
  readonly expiresAt: Date;
  readonly user: User;
  readonly login: UserLogin;
}

export interface PasswordChange {
  readonly currentPassword: string;
  readonly newPassword: string;
  /** Revoke every other active login of the user (PASSWORD_CHANGED). */
  readonly logoutOtherDevices: boolean;
}

/**
 * Accounts, built once: the password hasher and the brute-force limits behind everything that
 * checks a password. Each check of a password (login, changePassword, deleteAccount) counts against
 * the same failed-login limits of the email and the client IP, and waits its turn in the bcrypt queue.
 */
export interface Accounts {
  /** Creates the user and its first login in one transaction. The unique index decides duplicate emails, even under a race. */
  register(credentials: Credentials, client: ClientInfo, now: Date): Promise<Authenticated>;
  /** Checks the password (in the same time whether or not the email is known) and opens a login. */
  logIn(credentials: Credentials, client: ClientInfo, now: Date): Promise<Authenticated>;
  /**
   * Checks the current password, sets the new one and, if asked, revokes every other active login
   * (PASSWORD_CHANGED) in the same transaction; returns how many it revoked. The session's own login stays.
   */
  changePassword(session: Session, change: PasswordChange, client: ClientInfo, now: Date): Promise<number>;
  /** Checks the password, then deletes the user and its logins in one transaction (their sockets are told). */
  deleteAccount(session: Session, password: string, client: ClientInfo, now: Date): Promise<void>;
}

const isTooManyRequests = (error: unknown) => error instanceof GraphQLError && error.extensions['code'] === ErrorCode.TOO_MANY_REQUESTS;

/**
 * How a sign-in or registration that threw counts in login_activity_logins_total; null: not at all
 * (bad input, a taken email, the database failed).
 */
function loginResultOf(error: unknown): LoginResult | null {
  if (!(error instanceof GraphQLError)) return null;
  if (error.extensions['reason'] === UnauthenticatedReason.INVALID_CREDENTIALS) return 'failure';
  // A rate limit's 429 and the full bcrypt queue's 503 are the refusals that say when to retry.
  if (typeof error.extensions['retryAfter'] === 'number') return 'throttled';
  return null;
}

function validEmail(raw: string): string {
  const check = normalizeEmail(raw);
  if (!check.ok) throw badUserInput(check.problem, 'email');
  return check.email;
}

export function createAccounts(options: {
  readonly orm: MikroORM;
  readonly hasher: PasswordHasher;
  /** Bounds the bcrypt work of register and logIn, per account and per client IP. */
  readonly bcryptQueue: BcryptQueue;
  readonly throttle: LoginThrottle;
  readonly sessions: Sessions;
  readonly logins: Logins;
  readonly events: SecurityEvents;
  readonly alerts: NewDeviceAlerts;
  /** A password could not be hashed again at the new cost; the login goes on, and the next one tries again. */
  readonly onRehashError: (error: unknown) => void;
  /** Counts sign-ins and registrations by result. */
  readonly meter: Meter;
}): Accounts {
  const { orm, hasher, bcryptQueue, throttle, sessions, logins, events, alerts, onRehashError, meter } = options;
  /** A registration is counted like a sign-in: both open a login. */
  const counted = (opening: Promise<Authenticated>) =>
    opening.then(
      (opened) => {
        meter.loginAttempt('success');
        return opened;
      },
      (error: unknown) => {
        const result = loginResultOf(error);
        if (result) meter.loginAttempt(result);
        throw error;
      },
    );
  const termsAt = (now: Date): LoginTerms => ({ now, expiresAt: sessions.expiryFor(now) });
  const authenticated = (user: User, login: UserLogin): Authenticated => ({
    ...sessions.issue({ userId: user.id, loginId: login.id, issuedAt: login.createdAt, expiresAt: login.expiresAt }),
    user,
    login,
  });

  /**
   * The user `which` finds, if `password` is theirs; else INVALID_CREDENTIALS (whether or not there is
   * such a user), counted by the login limits of `email` and the client's IP.
   */
  async function checkPassword(which: FilterQuery<User>, email: string, password: string, client: ClientInfo, now: Date): Promise<User> {
    const attempt = await throttle.beginLogin(email, client.ipAddress).catch(async (refusal: unknown) => {
      // An existing account's log shows the refused attempt (an unknown email records nothing).
      if (isTooManyRequests(refusal)) await events.recordThrottled(email, client, now);
      throw refusal;
    });
    let user: User | null;
    let matches: boolean;
    try {
      user = await orm.em.fork().findOne(User, which);
      // bcrypt would ignore bytes past the 72nd and accept a longer password that merely starts right.
      const comparable = Buffer.byteLength(password, 'utf8') <= MAX_PASSWORD_BYTES;
      matches = await hasher.verify(password, comparable ? user?.passwordHash : undefined);
    } catch (error) {
      // Never judged (the database or bcrypt failed): it must not count as a failure. The refund is
      // best effort; the error the client gets is the one that stopped the check.
      await attempt.refund().catch(() => {});
      throw error;
    }
    if (!user || !matches) {
      attempt.failed();
      if (user) await events.recordFailedLogin(user.id, client, now);
      throw invalidCredentials();
    }
    await attempt.succeeded();
    return user;
  }

  /**
   * Under the user's lock: the password checked is still the user's. A change (or a deleted account)
   * that committed since the check makes it stale, so what the check allowed is refused.
   */
  async function ensurePasswordUnchanged(tx: EntityManager, user: User): Promise<void> {
    await lockAccount(tx, user.id);
    // The value was read to the millisecond; any change since moved it by at least one.
    const unchangedBefore = new Date(user.passwordChangedAt.getTime() + 1);
    if ((await tx.count(User, { id: user.id, passwordChangedAt: { $lt: unchangedBefore } })) === 0) throw invalidCredentials();
  }

  /** Hashes the password again at BCRYPT_COST, unless it changed meanwhile. */
  async function rehash(user: User, password: string): Promise<void> {
    const passwordHash = await hasher.hash(password);
    await orm.em.fork().nativeUpdate(User, { id: user.id, passwordHash: user.passwordHash }, { passwordHash });
  }

  /** The session's user, if `password` is theirs: the check of a login, by user id. */
  const checkSessionPassword = (session: Session, password: string, client: ClientInfo, now: Date) =>
    checkPassword({ id: session.user.id }, session.user.email, password, client, now);
  const queueSlotOf = (session: Session, client: ClientInfo) => ({ account: session.user.email, ip: client.ipAddress });

  const uncounted: Accounts = {
    async register(credentials, client, now) {
      const email = validEmail(credentials.email);
      const problem = passwordProblem(credentials.password);
      if (problem) throw badUserInput(problem, 'password');
      // In the queue before the limit is counted, so a registration the queue refuses costs no point.
      const passwordHash = await bcryptQueue.run({ account: email, ip: client.ipAddress }, async () => {
        await throttle.beginRegistration(client.ipAddress);
        return hasher.hash(credentials.password);
      });
      try {
        return await logins.transactional(async (tx) => {
          const user = new User(email, passwordHash, now);
          await tx.persist(user).flush();
          return authenticated(user, await logins.openInTransaction(tx, user.id, client, termsAt(now)));
        });
      } catch (error) {
        if (error instanceof UniqueConstraintViolationException && (error as { constraint?: string }).constraint === EMAIL_UNIQUE) {
          throw badUserInput('An account with this email already exists.', 'email');
        }
        throw error;
      }
    },

    async logIn(credentials, client, now) {
      const email = validEmail(credentials.email);
      // In the queue before the attempt is counted, so an attempt the queue refuses costs no point.
      const user = await bcryptQueue.run({ account: email, ip: client.ipAddress }, async () => {
        const checked = await checkPassword({ email }, email, credentials.password, client, now);
        if (hasher.needsRehash(checked.passwordHash)) await rehash(checked, credentials.password).catch(onRehashError);
        return checked;
      });
      const login = await logins.transactional(async (tx) => {
        await ensurePasswordUnchanged(tx, user);
        const opened = await logins.openInTransaction(tx, user.id, client, termsAt(now));
        await alerts.queueIfNewInTransaction(tx, opened, now);
        return opened;
      });
      return authenticated(user, login);
    },

    async changePassword(session, change, client, now) {
      // Refused before any bcrypt work: the rules need no password check.
      const problem = passwordProblem(change.newPassword);
      if (problem) throw badUserInput(problem, 'newPassword');
      const { user, passwordHash } = await bcryptQueue.run(queueSlotOf(session, client), async () => {
        const checked = await checkSessionPassword(session, change.currentPassword, client, now);
        return { user: checked, passwordHash: await hasher.hash(change.newPassword) };
      });
      return logins.transactional(async (tx) => {
        await ensurePasswordUnchanged(tx, user);
        // Always a new instant, even for two changes within a millisecond: a login checked against the
        // previous password must see that it changed.
        const passwordChangedAt = new Date(Math.max(now.getTime(), user.passwordChangedAt.getTime() + 1));
        await tx.nativeUpdate(User, { id: user.id }, { passwordHash, passwordChangedAt });
        await events.recordInTransaction(tx, [{ userId: user.id, kind: SecurityEventKind.PASSWORD_CHANGED, at: now, source: client, loginId: session.loginId }]);
        if (!change.logoutOtherDevices) return 0;
        return logins.revokeAllInTransaction(tx, user.id, RevokeReason.PASSWORD_CHANGED, client, now, { keepLoginId: session.loginId });
      });
    },

    async deleteAccount(session, password, client, now) {
      const user = await bcryptQueue.run(queueSlotOf(session, client), () => checkSessionPassword(session, password, client, now));
      await orm.em.fork().transactional(async (tx) => {
        await ensurePasswordUnchanged(tx, user);
        await logins.deleteAllInTransaction(tx, user.id, now);
        await tx.nativeDelete(User, { id: user.id });
        await events.recordAccountDeletedInTransaction(tx, user.id, client, now);
      });
    },
  };
  return {
    ...uncounted,
    register: (credentials, client, now) => counted(uncounted.register(credentials, client, now)),
    logIn: (credentials, client, now) => counted(uncounted.logIn(credentials, client, now)),
  };
}
