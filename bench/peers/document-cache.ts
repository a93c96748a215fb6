import { buildSchema, execute, parse, validate, type DocumentNode, type ExecutionResult, type GraphQLError } from 'graphql';

/** Enough for a bench's few query texts; a full cache is emptied rather than grown without bound. */
const MAX_DOCUMENTS = 100;

export interface ExecutionInput {
  readonly rootValue: unknown;
  readonly contextValue: unknown;
  readonly variableValues: Record<string, unknown> | null;
  readonly operationName: string | null;
}

export interface DocumentCache {
  /** Parses and validates a query text the first time it is seen, then executes it. */
  execute(query: string, input: ExecutionInput): Promise<ExecutionResult>;
}

type Checked = { readonly document: DocumentNode } | { readonly errors: readonly GraphQLError[] };

/** graphql-js with the per-text work done once: what a lean server does (Apollo Server caches documents too). */
export function createDocumentCache(schemaText: string): DocumentCache {
  const schema = buildSchema(schemaText);
  const checked = new Map<string, Checked>();

  function check(query: string): Checked {
    const known = checked.get(query);
    if (known) return known;
    let result: Checked;
    try {
      const document = parse(query);
      const errors = validate(schema, document);
      result = errors.length ? { errors } : { document };
    } catch (error) {
      // parse throws a GraphQLError for a syntax error; it is answered like a validation error.
      result = { errors: [error as GraphQLError] };
    }
    if (checked.size >= MAX_DOCUMENTS) checked.clear();
    checked.set(query, result);
    return result;
  }

  return {
    async execute(query, input) {
      const result = check(query);
      if ('errors' in result) return { errors: result.errors };
      return execute({ schema, document: result.document, ...input });
    },
  };
}
