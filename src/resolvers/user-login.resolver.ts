import { Arg, Authorized, Ctx, FieldResolver, Query, Resolver, Root, UseMiddleware } from 'type-graphql';
import type { Logins } from '../auth/logins';
import type { Session } from '../auth/sessions';
import { UserLogin } from '../entities/user-login.entity';
import type { Context } from './context.type';
import { mapDatabaseUnavailable } from './database-errors.middleware';
import { CurrentSession } from './session.decorators';

@UseMiddleware(mapDatabaseUnavailable)
@Resolver(() => UserLogin)
export class UserLoginResolver {
  constructor(private readonly logins: Logins) {}

  @Authorized()
  @Query(() => [UserLogin], { description: 'Your logins, newest first.' })
  async myLogins(
    @Arg('includeRevoked', () => Boolean, { defaultValue: false }) includeRevoked: boolean,
    @CurrentSession() { user }: Session,
  ): Promise<UserLogin[]> {
    return this.logins.list(user.id, { includeRevoked, now: new Date() });
  }

  @FieldResolver(() => Boolean, { description: 'True for the login whose token made this request.' })
  current(@Root() login: UserLogin, @Ctx() context: Context): boolean {
    if (login.id === context.session?.loginId) return true;
    return context.transport === 'http' && context.issuedLoginIds.has(login.id);
  }
}
