import { Field, ObjectType } from 'type-graphql';
import { UserLogin } from '../entities/user-login.entity';
import { LoginActivityKind } from '../auth/login-activity';

@ObjectType({ description: 'Something that happened to one of your logins, pushed as it happens.' })
export class LoginActivityEvent {
  @Field(() => LoginActivityKind)
  kind!: LoginActivityKind;

  @Field(() => UserLogin, {
    description:
      'The login it happened to, as the database has it now; `current` is true for the login whose token opened this subscription.',
  })
  login!: UserLogin;

  @Field({
    description: "When it happened: the login's createdAt (LOGIN), its revokedAt (REVOKED), or its expiresAt when its token expired.",
  })
  at!: Date;

  private constructor(kind: LoginActivityKind, login: UserLogin, at: Date) {
    this.kind = kind;
    this.login = login;
    this.at = at;
  }

  static loggedIn(login: UserLogin): LoginActivityEvent {
    return new LoginActivityEvent(LoginActivityKind.LOGIN, login, login.createdAt);
  }

  /** A login that is no longer accepted: revoked, or (the subscription's own) expired. */
  static ended(login: UserLogin, now: Date): LoginActivityEvent {
    const expired = login.expiresAt.getTime() <= now.getTime();
    return new LoginActivityEvent(LoginActivityKind.REVOKED, login, login.revokedAt ?? (expired ? login.expiresAt : now));
  }
}
