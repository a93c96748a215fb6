import { Arg, Authorized, Ctx, ID, Int, Mutation, Resolver, UseMiddleware } from 'type-graphql';
import { logIn, register, type Authenticated } from '../auth/accounts';
import { revokeAllLogins, revokeLogin } from '../auth/logins';
import { isUuid } from '../auth/tokens';
import { sessionOf, type Context } from '../context';
import { mapDatabaseUnavailable } from './database-errors.middleware';
import { badUserInput, notFound } from '../errors';
import { AuthPayload } from './auth-payload.type';
import { LoginInput, RegisterInput } from './credentials.input';

function payload(context: Context, authenticated: Authenticated): AuthPayload {
  context.issuedLoginIds.add(authenticated.login.id);
  return Object.assign(new AuthPayload(), authenticated);
}

@UseMiddleware(mapDatabaseUnavailable)
@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: 'Creates the user and its first login.' })
  async register(@Arg('input', () => RegisterInput) input: RegisterInput, @Ctx() context: Context): Promise<AuthPayload> {
    return payload(context, await register(context.em, input, context.client, context.services, new Date()));
  }

  @Mutation(() => AuthPayload)
  async login(@Arg('input', () => LoginInput) input: LoginInput, @Ctx() context: Context): Promise<AuthPayload> {
    return payload(context, await logIn(context.em, input, context.client, context.services, new Date()));
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Revokes the current login.' })
  async logout(@Ctx() context: Context): Promise<boolean> {
    const { user, loginId } = sessionOf(context);
    return (await revokeLogin(context.em, user.id, loginId, new Date())) === 'revoked';
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description: 'Revokes one of your logins: true if it was active, false if it was already revoked.',
  })
  async logoutDevice(@Arg('loginId', () => ID) loginId: string, @Ctx() context: Context): Promise<boolean> {
    if (!isUuid(loginId)) throw badUserInput('loginId is not a valid login id.', 'loginId');
    const outcome = await revokeLogin(context.em, sessionOf(context).user.id, loginId, new Date());
    if (outcome === 'not-found') throw notFound('No login of yours has this id.');
    return outcome === 'revoked';
  }

  @Authorized()
  @Mutation(() => Int, { description: 'Revokes all your active logins (or all but this one); returns how many.' })
  async logoutAll(
    @Arg('keepCurrent', () => Boolean, { defaultValue: false }) keepCurrent: boolean,
    @Ctx() context: Context,
  ): Promise<number> {
    const { user, loginId } = sessionOf(context);
    return revokeAllLogins(context.em, user.id, new Date(), keepCurrent ? { keepLoginId: loginId } : {});
  }
}
