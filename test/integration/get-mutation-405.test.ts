import { describe, expect, it } from 'vitest';
import { useTestServer } from '../helpers/fixture';

/** What the README documents: queries may use GET, mutations only POST (405 with an Allow header). */
const t = useTestServer();

const get = (query: string) => {
  const url = new URL(t.server.url);
  url.searchParams.set('query', query);
  // A GET must say it is not a "simple" request (Apollo's CSRF prevention).
  return fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
};

describe('GraphQL over GET', () => {
  it('runs a query', async () => {
    const response = await get('{ __typename }');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('refuses a mutation with 405 Method Not Allowed, Allow: POST', async () => {
    const response = await get('mutation { logout }');
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors[0]?.message).toBe('GET requests only support query operations, not mutation operations');
    expect(body.errors[0]?.extensions.code).toBe('BAD_REQUEST');
  });
});
