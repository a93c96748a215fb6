import { Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { Account } from '../auth/session';
import { sessionOf, type Context } from '../context';
import { User } from '../entities/user.entity';

@Resolver(() => User)
export class UserResolver {
  @Authorized()
  @Query(() => User, { description: 'The signed-in user.' })
  me(@Ctx() context: Context): Account {
    // The session check read the user with the login, in the same query: nothing more to load.
    return sessionOf(context).user;
  }
}
