import { Kind, getOperationAST, parse, type ParseOptions } from 'graphql';

/** The root fields that sign in: they need no session, so the Authorization header is not theirs to fail. */
const SIGN_IN_FIELDS: ReadonlySet<string> = new Set(['register', 'login']);

/** What the context builder knows of the request before Apollo parses it: the JSON body's fields. */
export interface OperationRequest {
  readonly query?: unknown;
  readonly operationName?: unknown;
}

/**
 * Contract v2, "sign-in ignores the token": an operation whose root fields are only `register` and/or
 * `login` (plus `__typename`) is served whatever the Authorization header says, so a stale token an
 * auth link still sends never blocks signing in. Anything else, a mixed operation, one that does not
 * parse or names no operation, is not one (and keeps the 401). The document is parsed only when a
 * token was rejected, under the same token limit as Apollo's own parse.
 */
export function isSignInOnly(body: OperationRequest | undefined, parseOptions: ParseOptions): boolean {
  if (typeof body?.query !== 'string') return false;
  const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;
  let operation;
  try {
    operation = getOperationAST(parse(body.query, parseOptions), operationName);
  } catch {
    return false;
  }
  if (operation?.operation !== 'mutation') return false;
  let signsIn = false;
  for (const selection of operation.selectionSet.selections) {
    // A fragment on the root could hide any field: only plain fields are read.
    if (selection.kind !== Kind.FIELD) return false;
    if (SIGN_IN_FIELDS.has(selection.name.value)) signsIn = true;
    else if (selection.name.value !== '__typename') return false;
  }
  return signsIn;
}
