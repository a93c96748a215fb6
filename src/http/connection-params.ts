/** What a client sends in connection_init: `{ authorization: "Bearer <token>" }`. */
export type ConnectionParams = Record<string, unknown>;

/**
 * The token of a connection_init: the value of the key named `authorization` in any letter case
 * (contract v2: Apollo Client and browsers' header habits send `Authorization`). Null when there is
 * none, when it is not a non-empty string, or when several keys differ only in case (which one would
 * be meant is a guess, as with two Authorization headers).
 */
export function authorizationOf(params: ConnectionParams | undefined | null): string | null {
  if (!params) return null;
  const values = Object.entries(params).filter(([key]) => key.toLowerCase() === 'authorization');
  if (values.length !== 1) return null;
  const [[, value]] = values as [[string, unknown]];
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}
