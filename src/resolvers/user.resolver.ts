import { Authorized, Query, Resolver } from 'type-graphql';
import type { Account, Session } from '../auth/sessions';
import { User } from '../entities/user.entity';
import { CurrentSession } from './session.decorators';

@Resolver(() => User)
export class UserResolver {
  @Authorized()
  @Query(() => User, { description: 'The signed-in user.' })
  me(@CurrentSession() { user }: Session): Account {
    // The session check read the user with the login, in the same query: nothing more to load.
    return user;
  }
}
