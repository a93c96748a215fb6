import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { GraphQLError, ValidationContext } from 'graphql';
import { operationOverLimit } from '../errors';
import { listCostRule } from './list-cost';

/**
 * Limits on the shape of an operation, checked before anything runs. Aliases are capped low
 * because each aliased `login` is another password guess in one request.
 */
export const OPERATION_LIMITS = {
  aliases: 5,
  depth: 8,
  cost: 5000,
  tokens: 1000,
  directives: 10,
} as const;

/**
 * Armor hides "Did you mean …?" hints with an Apollo plugin, which WebSocket operations never pass
 * through; this does the same to their error messages (armor's own pattern and mask).
 */
function suggestionHider(enabled: boolean): (message: string) => string {
  if (!enabled) return (message) => message;
  return (message) => message.replace(/Did you mean ".+"\?/g, '[Suggestion hidden]').trim();
}

/**
 * Armor throws "Syntax Error: <limit> exceeded" from its validation rule; reported instead as a
 * validation error that names the limit (and other validation errors of the document still show).
 */
const reportOverLimit = {
  propagateOnRejection: false,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) => {
      const refused = operationOverLimit(error.message);
      // Never silently let an operation over a limit through: without a context to report to, throw.
      if (!context) throw refused;
      context.reportError(refused);
    },
  ],
};

export function operationLimits(options: { hideFieldSuggestions: boolean }) {
  const { plugins, validationRules } = new ApolloArmor({
    maxAliases: { n: OPERATION_LIMITS.aliases, exposeLimits: true, ...reportOverLimit },
    // Introspection (playgrounds, code generators) is exempt from depth and cost, as by default.
    maxDepth: { n: OPERATION_LIMITS.depth, exposeLimits: true, ...reportOverLimit },
    costLimit: { maxCost: OPERATION_LIMITS.cost, exposeLimits: true, ...reportOverLimit },
    // Armor's token plugin throws from an Apollo hook, which Apollo answers with a 500; graphql-js
    // counts tokens itself (`parseOptions` below), giving a proper 400 GRAPHQL_PARSE_FAILED.
    maxTokens: { enabled: false },
    maxDirectives: { n: OPERATION_LIMITS.directives, exposeLimits: true, ...reportOverLimit },
    // "Did you mean …?" hints map a schema for someone who cannot introspect it; off in production.
    blockFieldSuggestion: { enabled: options.hideFieldSuggestions },
  }).protect();
  return {
    plugins,
    validationRules: [...validationRules, listCostRule()],
    parseOptions: { maxTokens: OPERATION_LIMITS.tokens },
    hideSuggestions: suggestionHider(options.hideFieldSuggestions),
  };
}
