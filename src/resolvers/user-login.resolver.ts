import { Arg, Authorized, Ctx, FieldResolver, Query, Resolver, Root, UseMiddleware } from 'type-graphql';
import { listLogins } from '../auth/logins';
import { sessionOf, type Context } from '../context';
import { mapDatabaseUnavailable } from './database-errors.middleware';
import { UserLogin } from '../entities/user-login.entity';

@UseMiddleware(mapDatabaseUnavailable)
@Resolver(() => UserLogin)
export class UserLoginResolver {
  @Authorized()
  @Query(() => [UserLogin], { description: 'Your logins, newest first.' })
  async myLogins(
    @Arg('includeRevoked', () => Boolean, { defaultValue: false }) includeRevoked: boolean,
    @Ctx() context: Context,
  ): Promise<UserLogin[]> {
    return listLogins(context.em, sessionOf(context).user.id, { includeRevoked, now: new Date() });
  }

  @FieldResolver(() => Boolean, { description: 'True for the login whose token made this request.' })
  current(@Root() login: UserLogin, @Ctx() context: Context): boolean {
    return login.id === context.session?.loginId || context.issuedLoginIds.has(login.id);
  }
}
