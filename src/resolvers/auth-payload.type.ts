import { Field, ObjectType } from 'type-graphql';
import { User } from '../entities/user.entity';
import { UserLogin } from '../entities/user-login.entity';

@ObjectType({ description: 'A new login and the token that carries it.' })
export class AuthPayload {
  @Field({ description: 'The JWT to send as `Authorization: Bearer <token>`.' })
  token!: string;

  @Field()
  expiresAt!: Date;

  @Field(() => User)
  user!: User;

  @Field(() => UserLogin, { description: 'The login this token belongs to (current: true).' })
  login!: UserLogin;
}
