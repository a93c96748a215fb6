import { Arg, Authorized, ID, Int, Mutation, Query, Resolver, UseMiddleware } from 'type-graphql';
import type { Logins } from '../auth/logins';
import type { SecurityEvents } from '../auth/security-events';
import { isUuid } from '../auth/tokens';
import type { Users } from '../auth/users';
import { RevokeReason } from '../entities/revoke-reason';
import { Role } from '../entities/role';
import { User } from '../entities/user.entity';
import { UserLogin } from '../entities/user-login.entity';
import { badUserInput, notFound } from '../errors';
import { LOGINS_PAGE, SECURITY_EVENTS_PAGE } from '../limits';
import type { HttpContext } from './context.type';
import { mapDatabaseUnavailable } from './database-errors.middleware';
import { connectionOf, SecurityEventConnection } from './security-event-connection.type';
import { HttpRequest } from './session.decorators';

function pageSize(first: number, { max }: { readonly max: number }): number {
  if (first < 1 || first > max) throw badUserInput(`first must be between 1 and ${max}`, 'first');
  return first;
}

function validId(id: string, field: 'userId' | 'loginId'): string {
  if (!isUuid(id)) throw badUserInput(`${field} is not a valid id.`, field);
  return id;
}

const ADMIN_ONLY = ' Administrators only (anyone else: FORBIDDEN).';

/**
 * What support staff do for a user: find them, see their logins and security log, end their logins.
 * Every operation needs the ADMIN role, read with the session on each request; revocations use
 * ADMIN, land in the user's security log and close the user's sockets like the user's own.
 */
@UseMiddleware(mapDatabaseUnavailable)
@Resolver()
export class AdminResolver {
  constructor(
    private readonly users: Users,
    private readonly logins: Logins,
    private readonly events: SecurityEvents,
  ) {}

  @Authorized(Role.ADMIN)
  @Query(() => User, { nullable: true, description: `The user with this email address (any letter case); null if there is none.${ADMIN_ONLY}` })
  userByEmail(@Arg('email') email: string): Promise<User | null> {
    return this.users.findByEmail(email);
  }

  @Authorized(Role.ADMIN)
  @Query(() => [UserLogin], { description: `A user's newest logins, newest first: at most \`first\` (1 to ${LOGINS_PAGE.max}). NOT_FOUND for an unknown user.${ADMIN_ONLY}` })
  async loginsOfUser(
    @Arg('userId', () => ID) userId: string,
    @Arg('includeRevoked', () => Boolean, { defaultValue: false }) includeRevoked: boolean,
    @Arg('first', () => Int, { defaultValue: LOGINS_PAGE.default }) first: number,
  ): Promise<UserLogin[]> {
    const size = pageSize(first, LOGINS_PAGE);
    await this.ensureUser(validId(userId, 'userId'));
    return this.logins.list(userId, { includeRevoked, first: size, now: new Date() });
  }

  @Authorized(Role.ADMIN)
  @Query(() => SecurityEventConnection, {
    description: `A user's security log, newest first: \`first\` events (1 to ${SECURITY_EVENTS_PAGE.max}) after the cursor \`after\`. NOT_FOUND for an unknown user.${ADMIN_ONLY}`,
  })
  async securityEventsOfUser(
    @Arg('userId', () => ID) userId: string,
    @Arg('first', () => Int, { defaultValue: SECURITY_EVENTS_PAGE.default }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<SecurityEventConnection> {
    const size = pageSize(first, SECURITY_EVENTS_PAGE);
    await this.ensureUser(validId(userId, 'userId'));
    return connectionOf(await this.events.page(userId, { first: size, after: after ?? null }));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean, {
    description: `Revokes any user's login (ADMIN): true if it was active, false if it was already revoked; NOT_FOUND for an unknown id.${ADMIN_ONLY}`,
  })
  async revokeLoginOfUser(@Arg('loginId', () => ID) loginId: string, @HttpRequest() request: HttpContext): Promise<boolean> {
    const outcome = await this.logins.revokeOfAnyUser(validId(loginId, 'loginId'), RevokeReason.ADMIN, request.clientInfo(), new Date());
    if (outcome === 'not-found') throw notFound('No login has this id.');
    return outcome === 'revoked';
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Int, { description: `Revokes every active login of the user (ADMIN); returns how many. NOT_FOUND for an unknown user.${ADMIN_ONLY}` })
  async revokeLoginsOfUser(@Arg('userId', () => ID) userId: string, @HttpRequest() request: HttpContext): Promise<number> {
    await this.ensureUser(validId(userId, 'userId'));
    return this.logins.revokeAll(userId, request.clientInfo(), new Date(), { reason: RevokeReason.ADMIN });
  }

  private async ensureUser(userId: string): Promise<void> {
    if (!(await this.users.exists(userId))) throw notFound('No user has this id.');
  }
}
