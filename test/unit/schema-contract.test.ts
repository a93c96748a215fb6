import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, findBreakingChanges, type BreakingChange } from 'graphql';
import { describe, expect, it } from 'vitest';

/*
 * The published contract (test/contract/schema-baseline.graphql) against the schema the server
 * serves (schema.graphql, which test/integration/server.test.ts keeps equal to what the code
 * generates). Additions are free; anything that could break a client of the contract fails here.
 */

const root = path.resolve(__dirname, '..', '..');
const BASELINE = 'test/contract/schema-baseline.graphql';
const SCHEMA = 'schema.graphql';

const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const breakingChanges = (contract: string, candidate: string): BreakingChange[] =>
  findBreakingChanges(buildSchema(contract), buildSchema(candidate));

/** `sdl` with the first field of `typeName` renamed; the edit must have happened. */
function withFirstFieldRenamed(sdl: string, typeName: string): { sdl: string; field: string } {
  const start = sdl.indexOf(`\ntype ${typeName} {\n`);
  expect(start, `type ${typeName} in the schema`).toBeGreaterThanOrEqual(0);
  const fieldLine = /^ {2}(\w+)[(:]/m;
  const afterType = sdl.slice(start);
  const match = fieldLine.exec(afterType.replace(/"""[\s\S]*?"""/g, (docs) => ' '.repeat(docs.length)));
  expect(match, `a field of ${typeName}`).not.toBeNull();
  const at = start + match!.index + 2;
  const field = match![1]!;
  const renamed = `${sdl.slice(0, at)}${field}Renamed${sdl.slice(at + field.length)}`;
  expect(renamed).not.toBe(sdl);
  return { sdl: renamed, field: `${typeName}.${field}` };
}

/** `sdl` with one more (nullable) field on `typeName`. */
function withFieldAdded(sdl: string, typeName: string): string {
  const opening = `\ntype ${typeName} {\n`;
  expect(sdl).toContain(opening);
  const added = sdl.replace(opening, `${opening}  addedByTheContractTest: String\n`);
  expect(added).not.toBe(sdl);
  return added;
}

describe('the public contract (test/contract/schema-baseline.graphql)', () => {
  const baseline = read(BASELINE);
  const schema = read(SCHEMA);

  it('says what it is and how it may change', () => {
    expect(baseline.startsWith('# The published contract')).toBe(true);
    expect(baseline).toMatch(/Additions are free/);
    expect(baseline).toMatch(/never by renaming or removing/);
  });

  it('is kept by schema.graphql: no type, field, argument or enum value is removed, renamed or changed', () => {
    expect(breakingChanges(baseline, schema)).toEqual([]);
  });

  it('fails on a renamed field (the check bites)', () => {
    for (const typeName of ['Query', 'Mutation', 'UserLogin']) {
      const { sdl, field } = withFirstFieldRenamed(schema, typeName);
      const changes = breakingChanges(baseline, sdl);
      expect(changes).toEqual([expect.objectContaining({ type: 'FIELD_REMOVED', description: `${field} was removed.` })]);
    }
  });

  it('lets a field be added', () => {
    for (const typeName of ['Query', 'UserLogin']) {
      expect(breakingChanges(baseline, withFieldAdded(schema, typeName))).toEqual([]);
    }
  });
});
