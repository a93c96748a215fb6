import { describe, expect, it } from 'vitest';
import { useTestServer } from '../helpers/fixture';
import { errorCodes } from '../helpers/graphql-client';

/** An operation over a shape limit is refused with a message that names the limit, not "Syntax Error". */
const t = useTestServer();

const nested = (levels: number) => `${'{ ... on Query '.repeat(levels)}{ __typename }${' }'.repeat(levels)}`;

describe('an operation over a limit', () => {
  it.each([
    ['depth', `query ${nested(9)}`, 'Query depth limit of 8 exceeded, found '],
    ['aliases', `{ ${Array.from({ length: 6 }, (_, i) => `a${i}: me { id }`).join(' ')} }`, 'Aliases limit of 5 exceeded, found 6.'],
    ['directives', `{ __typename ${'@include(if: true) '.repeat(11)}}`, 'Directives limit of 10 exceeded, found 11.'],
    // Each level of nesting multiplies a field's cost by 1.5: 600 fields six levels down cost about 6,800.
    ['cost', `query ${nested(6).replace('{ __typename }', `{ ${'__typename '.repeat(600)}}`)}`, 'Query Cost limit of 5000 exceeded, found '],
  ])('(%s) gets HTTP 400 GRAPHQL_VALIDATION_FAILED that says what the limit is', async (_, query, message) => {
    const response = await t.api.request(query);
    expect(response.status).toBe(400);
    expect(errorCodes(response)).toContain('GRAPHQL_VALIDATION_FAILED');
    const messages = (response.errors ?? []).map((error) => error.message);
    expect(messages.some((text) => text.startsWith(message))).toBe(true);
    expect(messages.join('\n')).not.toContain('Syntax Error');
  });
});
