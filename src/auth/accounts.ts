import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { User } from '../entities/user.entity';
import type { UserLogin } from '../entities/user-login.entity';
import { badUserInput, invalidCredentials } from '../errors';
import { MAX_PASSWORD_BYTES } from '../limits';
import type { BcryptQueue } from './bcrypt-queue';
import type { ClientInfo } from './client-info';
import { normalizeEmail, passwordProblem } from './credentials';
import type { LoginTerms, Logins } from './logins';
import type { PasswordHasher } from './passwords';
import type { Sessions } from './sessions';
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

/** Accounts, built once: the password hasher and the brute-force limits behind register and logIn. */
export interface Accounts {
  /** Creates the user and its first login in one transaction. The unique index decides duplicate emails, even under a race. */
  register(credentials: Credentials, client: ClientInfo, now: Date): Promise<Authenticated>;
  /** Checks the password (in the same time whether or not the email is known) and opens a login. */
  logIn(credentials: Credentials, client: ClientInfo, now: Date): Promise<Authenticated>;
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
  /** A password could not be hashed again at the new cost; the login goes on, and the next one tries again. */
  readonly onRehashError: (error: unknown) => void;
}): Accounts {
  const { orm, hasher, bcryptQueue, throttle, sessions, logins, onRehashError } = options;
  const termsAt = (now: Date): LoginTerms => ({ now, expiresAt: sessions.expiryFor(now) });
  const authenticated = (user: User, login: UserLogin): Authenticated => ({
    ...sessions.issue({ userId: user.id, loginId: login.id, issuedAt: login.createdAt, expiresAt: login.expiresAt }),
    user,
    login,
  });

  /** The user whose password this is, else INVALID_CREDENTIALS; counted by the login limits. */
  async function checkPassword(email: string, password: string, client: ClientInfo): Promise<User> {
    const attempt = await throttle.beginLogin(email, client.ipAddress);
    let user: User | null;
    let matches: boolean;
    try {
      user = await orm.em.fork().findOne(User, { email });
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
      throw invalidCredentials();
    }
    await attempt.succeeded();
    if (hasher.needsRehash(user.passwordHash)) await rehash(user, password).catch(onRehashError);
    return user;
  }

  /** Hashes the password again at BCRYPT_COST, unless it changed meanwhile. */
  async function rehash(user: User, password: string): Promise<void> {
    const passwordHash = await hasher.hash(password);
    await orm.em.fork().nativeUpdate(User, { id: user.id, passwordHash: user.passwordHash }, { passwordHash });
  }

  return {
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
        return await orm.em.fork().transactional(async (tx) => {
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
      const user = await bcryptQueue.run({ account: email, ip: client.ipAddress }, () =>
        checkPassword(email, credentials.password, client),
      );
      return authenticated(user, await logins.open(user.id, client, termsAt(now)));
    },
  };
}
