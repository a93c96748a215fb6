// type-graphql reads the design types of every decorated class: the polyfill must load before any of them.
import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type ContainerType } from 'type-graphql';
import type { Accounts } from './auth/accounts';
import type { IdleTimeout } from './auth/idle-timeout';
import type { Logins } from './auth/logins';
import type { NewDeviceAlerts } from './auth/new-device-alerts';
import type { SecurityEvents } from './auth/security-events';
import type { Users } from './auth/users';
import { AccountResolver } from './resolvers/account.resolver';
import { AdminResolver } from './resolvers/admin.resolver';
import { authChecker } from './resolvers/auth-checker';
import { AuthResolver } from './resolvers/auth.resolver';
import { LoginActivityResolver } from './resolvers/login-activity.resolver';
import { noPubSub } from './resolvers/no-pub-sub';
import { SecurityEventResolver } from './resolvers/security-event.resolver';
import { UserLoginResolver } from './resolvers/user-login.resolver';
import { UserResolver } from './resolvers/user.resolver';

/** The domain services the resolvers call, handed to each resolver's constructor. */
export interface ResolverServices {
  readonly accounts: Accounts;
  readonly logins: Logins;
  readonly idle: IdleTimeout;
  readonly events: SecurityEvents;
  readonly alerts: NewDeviceAlerts;
  readonly users: Users;
}

const RESOLVERS = [AuthResolver, AccountResolver, UserResolver, UserLoginResolver, SecurityEventResolver, AdminResolver, LoginActivityResolver] as const;

/**
 * type-graphql's container, one per schema (it is captured when the schema is built, so two
 * servers in one process keep their own): each resolver made once, with its services.
 */
function resolverContainer({ accounts, logins, idle, events, alerts, users }: ResolverServices): ContainerType {
  const instances = new Map<unknown, object>([
    [AuthResolver, new AuthResolver(accounts, logins)],
    [AccountResolver, new AccountResolver(accounts)],
    [UserResolver, new UserResolver()],
    [UserLoginResolver, new UserLoginResolver(logins, idle)],
    [SecurityEventResolver, new SecurityEventResolver(events, alerts)],
    [AdminResolver, new AdminResolver(users, logins, events)],
    [LoginActivityResolver, new LoginActivityResolver()],
  ]);
  return {
    get(resolverClass: unknown) {
      const instance = instances.get(resolverClass);
      if (!instance) throw new Error(`No instance of ${String(resolverClass)} in the resolver container`);
      return instance;
    },
  };
}

/** The schema, served with `services`; without them (printing schema.graphql) no resolver may run. */
export function buildAppSchema(services?: ResolverServices): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: RESOLVERS,
    authChecker,
    validate: false,
    pubSub: noPubSub,
    container: services
      ? resolverContainer(services)
      : {
          get() {
            throw new Error('This schema was built without services: it can be printed, not served');
          },
        },
  });
}

/** The text committed as schema.graphql: sorted, so it only changes when the schema does. */
export async function printAppSchema(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await buildAppSchema()))}\n`;
}
