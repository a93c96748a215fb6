import { Arg, Authorized, Ctx, FieldResolver, Int, Query, Resolver, Root, UseMiddleware } from 'type-graphql';
import type { IdleTimeout } from '../auth/idle-timeout';
import type { Logins } from '../auth/logins';
import type { Session } from '../auth/sessions';
import { UserLogin } from '../entities/user-login.entity';
import { badUserInput } from '../errors';
import { LOGINS_PAGE } from '../limits';
import type { Context } from './context.type';
import { mapDatabaseUnavailable } from './database-errors.middleware';
import { CurrentSession } from './session.decorators';

@UseMiddleware(mapDatabaseUnavailable)
@Resolver(() => UserLogin)
export class UserLoginResolver {
  constructor(
    private readonly logins: Logins,
    private readonly idle: IdleTimeout,
  ) {}

  @Authorized()
  @Query(() => [UserLogin], { description: `Your newest logins, newest first: at most \`first\` (1 to ${LOGINS_PAGE.max}).` })
  async myLogins(
    @Arg('includeRevoked', () => Boolean, { defaultValue: false }) includeRevoked: boolean,
    @Arg('first', () => Int, { defaultValue: LOGINS_PAGE.default }) first: number,
    @CurrentSession() { user }: Session,
  ): Promise<UserLogin[]> {
    if (first < 1 || first > LOGINS_PAGE.max) throw badUserInput(`first must be between 1 and ${LOGINS_PAGE.max}`, 'first');
    return this.logins.list(user.id, { includeRevoked, first, now: new Date() });
  }

  @FieldResolver(() => Date, {
    nullable: true,
    description:
      'When this login ends if it is not used (SESSION_IDLE_TIMEOUT after its last use, never after expiresAt); null when the idle timeout is off.',
  })
  idleExpiresAt(@Root() login: UserLogin): Date | null {
    return this.idle.deadlineOf(login);
  }

  @FieldResolver(() => Boolean, { description: 'True for the login whose token made this request.' })
  current(@Root() login: UserLogin, @Ctx() context: Context): boolean {
    if (login.id === context.session?.loginId) return true;
    return context.transport === 'http' && context.issuedLoginIds.has(login.id);
  }
}
