import { GraphQLError } from 'graphql';

/** graphql-js' message for a variable that does not coerce: `Variable "$input" got invalid value <value>[ at "input.x"]; <why>`. */
const INVALID_VARIABLE = /^(Variable "\$([^"]+)" got invalid value) /;
/** The path graphql-js appends after the value, when the problem is inside it. */
const AT_PATH = / at "([^"]*)"$/;
const PASSWORD_FIELD = /password/i;

/** The inner error graphql-js wraps (its message is the message's tail), wherever Apollo put it in the chain. */
function innerMessage(error: unknown, message: string): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current instanceof GraphQLError && current.message !== message && message.endsWith(`; ${current.message}`)) {
      return current.message;
    }
    current = (current as { originalError?: unknown }).originalError;
  }
  return undefined;
}

/**
 * graphql-js quotes a variable's whole value when it does not coerce, so an unknown field in
 * `LoginInput` would send the password back (and into any log or proxy that keeps error bodies).
 * The value is dropped from the message; the path and the reason stay, except that the reason is
 * dropped too when it is about a password field (it quotes the bad value: "... non string value: 123").
 * Messages that are not about a variable pass unchanged.
 */
export function withoutVariableValues(message: string, error: unknown): string {
  const head = INVALID_VARIABLE.exec(message);
  if (!head) return message;
  const [, prefix, variableName] = head as unknown as [string, string, string];
  const inner = innerMessage(error, message);
  // Without the inner error the value's end cannot be found safely: say only which variable.
  if (inner === undefined) return `${prefix.replace('got invalid value', 'got an invalid value')}.`;
  const valueAndPath = message.slice(prefix.length + 1, message.length - inner.length - 2);
  const path = AT_PATH.exec(valueAndPath)?.[1];
  const named = `${prefix.replace('got invalid value', 'got an invalid value')}${path ? ` at "${path}"` : ''}`;
  if (PASSWORD_FIELD.test(path ?? variableName)) return `${named}.`;
  return `${named}; ${inner}`;
}
