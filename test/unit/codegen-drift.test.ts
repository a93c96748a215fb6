import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import {
  Kind,
  TypeInfo,
  buildSchema,
  concatAST,
  isIntrospectionType,
  isObjectType,
  parse,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import codegenConfig from '../../codegen';

const root = path.resolve(__dirname, '..', '..');
const GENERATED = 'sdk/generated/graphql.ts';
const OPERATIONS = 'sdk/operations';

async function operationDocuments(): Promise<DocumentNode> {
  const files = (await readdir(path.join(root, OPERATIONS))).filter((file) => file.endsWith('.graphql'));
  const documents = await Promise.all(files.map(async (file) => parse(await readFile(path.join(root, OPERATIONS, file), 'utf8'))));
  return concatAST(documents);
}

/** Every `Type.field` some operation or fragment selects. */
function selectedFields(schema: GraphQLSchema, document: DocumentNode): Set<string> {
  const selected = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      [Kind.FIELD](field) {
        const parent = typeInfo.getParentType();
        if (parent) selected.add(`${parent.name}.${field.name.value}`);
      },
    }),
  );
  return selected;
}

describe(GENERATED, () => {
  it('is what `npm run codegen` generates from schema.graphql and sdk/operations', async () => {
    // saveToFile = false: generate in memory, so a stale committed file is reported, never fixed here.
    const outputs: Array<{ filename: string; content: string }> = await generate(
      { ...codegenConfig, cwd: root, silent: true },
      false,
    );
    const output = outputs.find((file) => path.resolve(root, file.filename) === path.join(root, GENERATED));
    expect(output, `codegen.ts no longer generates ${GENERATED}`).toBeDefined();
    const committed = await readFile(path.join(root, GENERATED), 'utf8');
    expect(committed === output?.content, `${GENERATED} is stale: run npm run codegen and commit the result`).toBe(true);
  });
});

describe(OPERATIONS, () => {
  it('has an operation for every Query, Mutation and Subscription field of schema.graphql', async () => {
    const schema = buildSchema(await readFile(path.join(root, 'schema.graphql'), 'utf8'));
    const selected = selectedFields(schema, await operationDocuments());
    const rootFields = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((type) =>
      type ? Object.keys(type.getFields()).map((field) => `${type.name}.${field}`) : [],
    );
    const missing = rootFields.filter((field) => !selected.has(field));
    expect(missing, `no document in ${OPERATIONS} uses these fields: add one per field, then run npm run codegen`).toEqual([]);
  });

  it('selects every field of every object type, so SDK users see all the schema offers', async () => {
    const schema = buildSchema(await readFile(path.join(root, 'schema.graphql'), 'utf8'));
    const selected = selectedFields(schema, await operationDocuments());
    const allFields = Object.values(schema.getTypeMap())
      .filter((type) => isObjectType(type) && !isIntrospectionType(type))
      .flatMap((type) => (isObjectType(type) ? Object.keys(type.getFields()).map((field) => `${type.name}.${field}`) : []));
    const missing = allFields.filter((field) => !selected.has(field));
    expect(missing, `no document in ${OPERATIONS} selects these fields: add them to a fragment, then run npm run codegen`).toEqual(
      [],
    );
  });
});
