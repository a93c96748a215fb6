import { Arg, Authorized, Int, Mutation, Resolver, UseMiddleware } from 'type-graphql';
import type { Accounts } from '../auth/accounts';
import type { Session } from '../auth/sessions';
import type { HttpContext } from './context.type';
import { ChangePasswordInput } from './credentials.input';
import { mapDatabaseUnavailable } from './database-errors.middleware';
import { CurrentSession, HttpRequest } from './session.decorators';

/** The signed-in user's account: its password and its deletion, each confirmed with the password. */
@UseMiddleware(mapDatabaseUnavailable)
@Resolver()
export class AccountResolver {
  constructor(private readonly accounts: Accounts) {}

  @Authorized()
  @Mutation(() => Int, {
    description:
      'Sets a new password, after checking the current one; with logoutOtherDevices (the default) revokes every other active login of yours (PASSWORD_CHANGED). Returns how many it revoked; this login stays valid.',
  })
  async changePassword(
    @Arg('input', () => ChangePasswordInput) input: ChangePasswordInput,
    @CurrentSession() session: Session,
    @HttpRequest() request: HttpContext,
  ): Promise<number> {
    return this.accounts.changePassword(session, input, request.clientInfo(), new Date());
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description:
      'Deletes your account, after checking the password: the user and all its logins, in one transaction. Every token of it stops working and its sockets close with 4401; the email can register again.',
  })
  async deleteAccount(
    @Arg('password') password: string,
    @CurrentSession() session: Session,
    @HttpRequest() request: HttpContext,
  ): Promise<boolean> {
    await this.accounts.deleteAccount(session, password, request.clientInfo(), new Date());
    return true;
  }
}
