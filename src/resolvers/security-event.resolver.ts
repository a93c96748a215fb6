import { Arg, Authorized, FieldResolver, Int, Mutation, Query, Resolver, Root, UseMiddleware } from 'type-graphql';
import type { NewDeviceAlerts } from '../auth/new-device-alerts';
import type { SecurityEvents } from '../auth/security-events';
import type { Session } from '../auth/sessions';
import { SecurityEvent } from '../entities/security-event.entity';
import { UserLogin } from '../entities/user-login.entity';
import { badUserInput } from '../errors';
import { SECURITY_EVENTS_PAGE } from '../limits';
import type { HttpContext } from './context.type';
import { mapDatabaseUnavailable } from './database-errors.middleware';
import { connectionOf, SecurityEventConnection } from './security-event-connection.type';
import { CurrentSession, HttpRequest } from './session.decorators';

/** The signed-in user's security log, and the public "this wasn't me" revocation. */
@UseMiddleware(mapDatabaseUnavailable)
@Resolver(() => SecurityEvent)
export class SecurityEventResolver {
  constructor(
    private readonly events: SecurityEvents,
    private readonly alerts: NewDeviceAlerts,
  ) {}

  @Authorized()
  @Query(() => SecurityEventConnection, {
    description: `Your security log, newest first: \`first\` events (1 to ${SECURITY_EVENTS_PAGE.max}) after the cursor \`after\`. Kept for HISTORY_RETENTION.`,
  })
  async mySecurityEvents(
    @Arg('first', () => Int, { defaultValue: SECURITY_EVENTS_PAGE.default }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @CurrentSession() { user }: Session,
  ): Promise<SecurityEventConnection> {
    if (first < 1 || first > SECURITY_EVENTS_PAGE.max) throw badUserInput(`first must be between 1 and ${SECURITY_EVENTS_PAGE.max}`, 'first');
    return connectionOf(await this.events.page(user.id, { first, after: after ?? null }));
  }

  @FieldResolver(() => UserLogin, { nullable: true, description: 'The login it is about (LOGIN, LOGIN_REVOKED, NEW_DEVICE_ALERT, PASSWORD_CHANGED: the login that changed it); null once deleted.' })
  login(@Root() event: SecurityEvent): UserLogin | null {
    // The page loaded the logins with the events (one query), so this reads no database.
    return event.login?.isInitialized() ? event.login.getEntity() : null;
  }

  @Mutation(() => Boolean, {
    description:
      'Revokes the login named in a new-sign-in email (NOT_ME), from the token of its "this wasn\'t me" link: true if it was active, false if it was already revoked. Needs no session; the token works once and for 7 days (else BAD_USER_INPUT).',
  })
  async logoutWithAlertLink(@Arg('token') token: string, @HttpRequest() request: HttpContext): Promise<boolean> {
    const outcome = await this.alerts.logOut(token, request.clientInfo(), new Date());
    if (outcome === 'invalid') throw badUserInput('This link is not valid: it was used already, has expired, or was never sent.', 'token');
    return outcome === 'revoked';
  }
}
