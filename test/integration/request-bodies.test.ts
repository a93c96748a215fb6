import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { REQUEST_BODY_LIMIT_BYTES } from '../../src/limits';
import { useTestServer } from '../helpers/fixture';

/**
 * The request shapes clients send, and how each is answered. Plain UTF-8 JSON is read by the
 * server's own body reader; compressed bodies and other charsets go to body-parser; both must give
 * the answers body-parser always gave.
 */
const t = useTestServer();

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function send(options: { path?: string; method?: string; headers?: http.OutgoingHttpHeaders; body?: string | Buffer; chunked?: boolean }): Promise<Answer> {
  const url = new URL(t.server.url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: url.hostname, port: url.port, method: options.method ?? 'POST', path: options.path ?? url.pathname, headers: options.headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    request.on('error', reject);
    if (options.body !== undefined) {
      // Without a Content-Length, Node sends the body in chunks: the size is only known once read.
      if (!options.chunked) request.setHeader('content-length', Buffer.byteLength(options.body));
      request.write(options.body);
    }
    request.end();
  });
}

const JSON_TYPE = { 'content-type': 'application/json' };
const TYPENAME = JSON.stringify({ query: '{ __typename }' });
const ANSWERED = { data: { __typename: 'Query' } };
const codeOf = (answer: Answer) => (JSON.parse(answer.body) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code;

describe('request bodies', () => {
  it.each([
    ['plain JSON', JSON_TYPE, TYPENAME],
    ['charset=utf-8', { 'content-type': 'application/json; charset=utf-8' }, TYPENAME],
    ['a quoted, upper-case charset', { 'content-type': 'Application/JSON; charset="UTF-8"' }, TYPENAME],
    ['a byte-order mark', JSON_TYPE, `\ufeff${TYPENAME}`],
    ['leading whitespace', JSON_TYPE, ` \n\t${TYPENAME}`],
  ])('serves %s', async (_name, headers, body) => {
    const answer = await send({ headers, body });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual(ANSWERED);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    expect(answer.headers['x-request-id']).toBeTruthy();
  });

  it('serves a gzip-compressed body', async () => {
    const answer = await send({ headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, body: gzipSync(TYPENAME) });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual(ANSWERED);
  });

  it('serves a chunked body', async () => {
    const answer = await send({ headers: JSON_TYPE, body: TYPENAME, chunked: true });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual(ANSWERED);
  });

  it.each([
    ['not JSON', '{"query": '],
    ['a JSON string', '"{ __typename }"'],
    ['a JSON number', '42'],
    ['null', 'null'],
  ])('answers %s with 400 BAD_REQUEST', async (_name, body) => {
    const answer = await send({ headers: JSON_TYPE, body });
    expect(answer.status).toBe(400);
    expect(answer.body).toBe('{"errors":[{"message":"The request body is not valid JSON.","extensions":{"code":"BAD_REQUEST"}}]}');
  });

  it('answers an empty body with 400 BAD_REQUEST (no operation)', async () => {
    const answer = await send({ headers: JSON_TYPE, body: '' });
    expect(answer.status).toBe(400);
    expect(codeOf(answer)).toBe('BAD_REQUEST');
  });

  it.each([
    ['says so in Content-Length', false],
    ['is sent in chunks', true],
  ])('answers a body over the limit that %s with 413 PAYLOAD_TOO_LARGE', async (_name, chunked) => {
    const body = JSON.stringify({ query: '{ __typename }', padding: 'x'.repeat(REQUEST_BODY_LIMIT_BYTES) });
    const answer = await send({ headers: JSON_TYPE, body, chunked });
    expect(answer.status).toBe(413);
    expect(codeOf(answer)).toBe('PAYLOAD_TOO_LARGE');
  });

  it.each([
    ['a charset other than UTF-8', { 'content-type': 'application/json; charset=latin1' }],
    ['an unknown content encoding', { ...JSON_TYPE, 'content-encoding': 'br2' }],
  ])('answers %s with 415', async (_name, headers) => {
    const answer = await send({ headers, body: TYPENAME });
    expect(answer.status).toBe(415);
    expect(codeOf(answer)).toBe('BAD_REQUEST');
  });

  it('answers a body that is not JSON with Apollo’s CSRF refusal', async () => {
    const answer = await send({ headers: { 'content-type': 'text/plain' }, body: TYPENAME });
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('Cross-Site Request Forgery');
  });
});

describe('paths', () => {
  it.each(['/graphql/', '/GraphQL', '/graphql?x=1'])('serves GraphQL at %s too, as Express routing did', async (path) => {
    const answer = await send({ path, headers: JSON_TYPE, body: TYPENAME });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual(ANSWERED);
  });

  it('answers a CORS preflight with 204 and the allowed headers', async () => {
    const answer = await send({
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
    });
    expect(answer.status).toBe(204);
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    expect(answer.headers['access-control-allow-headers']).toBe('content-type,authorization');
  });

  it('answers an unknown path with 404', async () => {
    const answer = await send({ method: 'GET', path: '/nope' });
    expect(answer.status).toBe(404);
  });
});
