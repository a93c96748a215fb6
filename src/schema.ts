import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { noPubSub } from './live/no-pub-sub';
import { authChecker } from './resolvers/auth-checker';
import { AuthResolver } from './resolvers/auth.resolver';
import { LoginActivityResolver } from './resolvers/login-activity.resolver';
import { UserLoginResolver } from './resolvers/user-login.resolver';
import { UserResolver } from './resolvers/user.resolver';

export function buildAppSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [AuthResolver, UserResolver, UserLoginResolver, LoginActivityResolver],
    authChecker,
    validate: false,
    pubSub: noPubSub,
  });
}

/** The text committed as schema.graphql: sorted, so it only changes when the schema does. */
export async function printAppSchema(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await buildAppSchema()))}\n`;
}
