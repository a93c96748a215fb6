import { Arg, Authorized, ID, Int, Mutation, Resolver, UseMiddleware } from 'type-graphql';
import type { Accounts, Authenticated } from '../auth/accounts';
import type { Logins } from '../auth/logins';
import type { Session } from '../auth/sessions';
import { isUuid } from '../auth/tokens';
import { badUserInput, notFound } from '../errors';
import { AuthPayload } from './auth-payload.type';
import type { HttpContext } from './context.type';
import { LoginInput, RegisterInput } from './credentials.input';
import { mapDatabaseUnavailable } from './database-errors.middleware';
import { CurrentSession, HttpRequest } from './session.decorators';

function payload(request: HttpContext, authenticated: Authenticated): AuthPayload {
  request.issuedLoginIds.add(authenticated.login.id);
  return Object.assign(new AuthPayload(), authenticated);
}

@UseMiddleware(mapDatabaseUnavailable)
@Resolver()
export class AuthResolver {
  constructor(
    private readonly accounts: Accounts,
    private readonly logins: Logins,
  ) {}

  @Mutation(() => AuthPayload, { description: 'Creates the user and its first login.' })
  async register(@Arg('input', () => RegisterInput) input: RegisterInput, @HttpRequest() request: HttpContext): Promise<AuthPayload> {
    return payload(request, await this.accounts.register(input, request.clientInfo(), new Date()));
  }

  @Mutation(() => AuthPayload)
  async login(@Arg('input', () => LoginInput) input: LoginInput, @HttpRequest() request: HttpContext): Promise<AuthPayload> {
    return payload(request, await this.accounts.logIn(input, request.clientInfo(), new Date()));
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Revokes the current login.' })
  async logout(@CurrentSession() { user, loginId }: Session, @HttpRequest() request: HttpContext): Promise<boolean> {
    return (await this.logins.revoke(user.id, loginId, request.clientInfo(), new Date())) === 'revoked';
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description: 'Revokes one of your logins: true if it was active, false if it was already revoked.',
  })
  async logoutDevice(
    @Arg('loginId', () => ID) loginId: string,
    @CurrentSession() { user }: Session,
    @HttpRequest() request: HttpContext,
  ): Promise<boolean> {
    if (!isUuid(loginId)) throw badUserInput('loginId is not a valid login id.', 'loginId');
    const outcome = await this.logins.revoke(user.id, loginId, request.clientInfo(), new Date());
    if (outcome === 'not-found') throw notFound('No login of yours has this id.');
    return outcome === 'revoked';
  }

  @Authorized()
  @Mutation(() => Int, { description: 'Revokes all your active logins (or all but this one); returns how many.' })
  async logoutAll(
    @Arg('keepCurrent', () => Boolean, { defaultValue: false }) keepCurrent: boolean,
    @CurrentSession() { user, loginId }: Session,
    @HttpRequest() request: HttpContext,
  ): Promise<number> {
    return this.logins.revokeAll(user.id, request.clientInfo(), new Date(), keepCurrent ? { keepLoginId: loginId } : {});
  }
}
