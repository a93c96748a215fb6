import { Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { sessionOf, type Context } from '../context';
import { User } from '../entities/user.entity';

@Resolver(() => User)
export class UserResolver {
  @Authorized()
  @Query(() => User, { description: 'The signed-in user.' })
  async me(@Ctx() context: Context): Promise<User> {
    // The session check proved the login exists; its user row goes with it (ON DELETE CASCADE).
    return context.em.findOneOrFail(User, { id: sessionOf(context).userId });
  }
}
