import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../entities/user.entity';
import type { UserLogin } from '../entities/user-login.entity';
import { badUserInput, invalidCredentials } from '../errors';
import type { ClientInfo } from './client-info';
import { MAX_PASSWORD_BYTES, normalizeEmail, passwordProblem } from './credentials';
import { addLoginInTransaction, openLogin, type NewLoginTerms } from './logins';
import type { LoginThrottle } from './throttle';
import type { PasswordHasher } from './passwords';
import type { TokenService } from './tokens';

const EMAIL_UNIQUE = 'users_email_unique';

export interface Credentials {
  readonly email: string;
  readonly password: string;
}

export interface AuthDependencies {
  readonly hasher: PasswordHasher;
  readonly tokens: TokenService;
  readonly throttle: LoginThrottle;
  readonly maxActiveLogins: number;
}

/** A new login and the token that carries it. */
export interface Authenticated {
  readonly token: string;
  readonly expiresAt: Date;
  readonly user: User;
  readonly login: UserLogin;
}

function validEmail(raw: string): string {
  const check = normalizeEmail(raw);
  if (!check.ok) throw badUserInput(check.problem, 'email');
  return check.email;
}

function termsFor({ tokens, maxActiveLogins }: AuthDependencies, now: Date): NewLoginTerms {
  return { now, expiresAt: tokens.expiryFor(now), maxActiveLogins };
}

function issueFor(tokens: TokenService, user: User, login: UserLogin): Authenticated {
  const { token, expiresAt } = tokens.issue({
    userId: user.id,
    loginId: login.id,
    issuedAt: login.createdAt,
    expiresAt: login.expiresAt,
  });
  return { token, expiresAt, user, login };
}

/** Creates the user and its first login in one transaction. The unique index decides duplicate emails, even under a race. */
export async function register(
  em: EntityManager,
  credentials: Credentials,
  client: ClientInfo,
  dependencies: AuthDependencies,
  now: Date,
): Promise<Authenticated> {
  const { hasher, tokens, throttle } = dependencies;
  const email = validEmail(credentials.email);
  const problem = passwordProblem(credentials.password);
  if (problem) throw badUserInput(problem, 'password');
  await throttle.beginRegistration(client.ipAddress);

  const passwordHash = await hasher.hash(credentials.password);
  try {
    return await em.transactional(async (tx) => {
      const user = new User(email, passwordHash, now);
      await tx.persist(user).flush();
      const login = await addLoginInTransaction(tx, user.id, client, termsFor(dependencies, now));
      return issueFor(tokens, user, login);
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException && (error as { constraint?: string }).constraint === EMAIL_UNIQUE) {
      throw badUserInput('An account with this email already exists.', 'email');
    }
    throw error;
  }
}

/** Checks the password (in the same time whether or not the email is known) and opens a login. */
export async function logIn(
  em: EntityManager,
  credentials: Credentials,
  client: ClientInfo,
  dependencies: AuthDependencies,
  now: Date,
): Promise<Authenticated> {
  const { hasher, tokens, throttle } = dependencies;
  const email = validEmail(credentials.email);
  await throttle.beginLogin(email, client.ipAddress);
  const user = await em.findOne(User, { email });
  // bcrypt would ignore bytes past the 72nd and accept a longer password that merely starts right.
  const comparable = Buffer.byteLength(credentials.password, 'utf8') <= MAX_PASSWORD_BYTES;
  const matches = await hasher.verify(credentials.password, comparable ? user?.passwordHash : undefined);
  if (!user || !matches) throw invalidCredentials();
  await throttle.loginSucceeded(email, client.ipAddress);

  const login = await openLogin(em, user.id, client, termsFor(dependencies, now));
  return issueFor(tokens, user, login);
}
