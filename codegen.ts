import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * `npm run codegen`: the SDK's types and typed documents, from the committed schema and the
 * operation documents in sdk/operations. The output is committed; a test fails when it is stale.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: 'sdk/operations/*.graphql',
  generates: {
    'sdk/generated/graphql.ts': {
      // typescript-operations 6 emits the inputs and enums the documents use; the `typescript`
      // plugin would declare them a second time.
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        // DateTimeISO travels as an ISO-8601 string in JSON; the SDK leaves parsing to the caller.
        scalars: { DateTimeISO: 'string' },
        strictScalars: true,
        // String unions rather than runtime enums: callers compare with plain strings.
        enumsAsTypes: true,
        useTypeImports: true,
      },
    },
  },
};

export default config;
