import { print } from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import {
  GraphQLRequestError,
  LogoutDeviceDocument,
  MeDocument,
  NetworkError,
  createClient,
  isServiceUnavailable,
  isTooManyRequests,
} from '../../sdk';

const ENDPOINT = 'http://api.test/graphql';

/** A fetch that answers every request with this status and body, and records what it was sent. */
function fakeFetch(status: number, body: unknown, contentType = 'application/json') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return vi.fn<typeof fetch>(async () => new Response(text, { status, headers: { 'content-type': contentType } }));
}

function sent(fetchMock: ReturnType<typeof fakeFetch>, call = 0) {
  const [url, init] = fetchMock.mock.calls[call]!;
  return { url, headers: new Headers(init?.headers), body: JSON.parse(String(init?.body)) as Record<string, unknown> };
}

describe('createClient', () => {
  it('POSTs the printed document, its variables and operation name as JSON, with the token as Bearer', async () => {
    const fetchMock = fakeFetch(200, { data: { logoutDevice: true } });
    const client = createClient({ url: ENDPOINT, token: 'the-token', fetch: fetchMock, headers: { 'user-agent': 'sdk-test/1' } });

    expect(await client.request(LogoutDeviceDocument, { loginId: 'an-id' })).toEqual({ logoutDevice: true });
    const { url, headers, body } = sent(fetchMock);
    expect(url).toBe(ENDPOINT);
    expect(fetchMock.mock.calls[0]![1]?.method).toBe('POST');
    expect(body).toEqual({ query: print(LogoutDeviceDocument), variables: { loginId: 'an-id' }, operationName: 'LogoutDevice' });
    expect(headers.get('authorization')).toBe('Bearer the-token');
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('user-agent')).toBe('sdk-test/1');
  });

  it('sends no Authorization without a token, and withToken() gives a client for another login', async () => {
    const fetchMock = fakeFetch(200, { data: { me: { id: '1', email: 'a@example.com', createdAt: '2030-01-01T00:00:00.000Z' } } });
    const anonymous = createClient({ url: ENDPOINT, fetch: fetchMock });
    await anonymous.request(MeDocument);
    await anonymous.withToken('device-b').request(MeDocument);
    await anonymous.withToken('device-b').withToken(undefined).request(MeDocument);
    expect([0, 1, 2].map((call) => sent(fetchMock, call).headers.get('authorization'))).toEqual([null, 'Bearer device-b', null]);
    expect(sent(fetchMock).body).toEqual({ query: print(MeDocument), operationName: 'Me' });
  });

  it("replaces its own headers with the caller's, whatever their case", async () => {
    const fetchMock = fakeFetch(200, { data: { logoutDevice: true } });
    await createClient({ url: ENDPOINT, fetch: fetchMock, headers: { 'Content-Type': 'application/json; charset=utf-8' } }).request(
      LogoutDeviceDocument,
      { loginId: 'an-id' },
    );
    expect(sent(fetchMock).headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it.each([
    [429, 'TOO_MANY_REQUESTS', isTooManyRequests],
    [503, 'SERVICE_UNAVAILABLE', isServiceUnavailable],
  ])('turns an HTTP %i carrying GraphQL errors into a GraphQLRequestError with code %s', async (status, code, isCode) => {
    const errors = [{ message: 'Not now.', extensions: { code, retryAfter: 30 } }];
    const client = createClient({ url: ENDPOINT, fetch: fakeFetch(status, { errors }, 'application/graphql-response+json') });
    const error = await client.request(MeDocument).catch((rejection: unknown) => rejection);
    expect(error).toBeInstanceOf(GraphQLRequestError);
    expect(error).toMatchObject({ status, code, errors, message: 'Not now.' });
    expect(isCode(error)).toBe(true);
  });

  it.each([
    ['an HTML page', 502, '<html>Bad Gateway</html>'],
    ['JSON that is not a GraphQL response', 200, { hello: 'world' }],
    ['a 200 with neither data nor errors', 200, { data: null }],
  ])('turns %s into a NetworkError with the status', async (_name, status, body) => {
    const client = createClient({ url: ENDPOINT, fetch: fakeFetch(status, body) });
    const error = await client.request(MeDocument).catch((rejection: unknown) => rejection);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ status });
  });

  it('turns a failed fetch into a NetworkError without status, keeping the cause', async () => {
    const cause = new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') });
    const client = createClient({ url: ENDPOINT, fetch: vi.fn<typeof fetch>().mockRejectedValue(cause) });
    const error = await client.request(MeDocument).catch((rejection: unknown) => rejection);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ status: undefined, cause });
    expect((error as NetworkError).message).toBe(`Could not reach ${ENDPOINT}: fetch failed: connect ECONNREFUSED 127.0.0.1:9`);
  });
});
