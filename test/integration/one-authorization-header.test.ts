import http from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../helpers/fixture';
import { LOGIN, ME, PASSWORD, registerUser, type AuthPayloadView } from '../helpers/operations';

/** Two Authorization headers are refused with 400, never answered with whichever one Node kept. */
const t = useTestServer();

let alice: AuthPayloadView;
beforeAll(async () => {
  alice = await registerUser(t.api);
});

/** fetch merges repeated headers into one; node:http sends them as given (rawHeaders form). */
function postWithRawHeaders(rawHeaders: string[], body: object) {
  return new Promise<{ status: number; body: { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } }>(
    (resolve, reject) => {
      const payload = JSON.stringify(body);
      // With headers as a raw list, node:http adds none of its own, Host included.
      const headers = ['host', new URL(t.server.url).host, 'content-type', 'application/json', 'content-length', String(Buffer.byteLength(payload)), ...rawHeaders];
      const request = http.request(t.server.url, { method: 'POST', headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) });
          } catch {
            reject(new Error(`HTTP ${response.statusCode}: not JSON: ${text}`));
          }
        });
        response.on('error', reject);
      });
      request.on('error', reject);
      request.end(payload);
    },
  );
}

describe('two Authorization headers', () => {
  it.each([
    ['the same valid token twice', () => [`Bearer ${alice.token}`, `Bearer ${alice.token}`]],
    ['a valid token, then garbage', () => [`Bearer ${alice.token}`, 'Bearer not.a.jwt']],
    ['garbage, then a valid token', () => ['Bearer not.a.jwt', `Bearer ${alice.token}`]],
  ])('with %s get HTTP 400 BAD_REQUEST and no data', async (_, values) => {
    const headers = values().flatMap((value) => ['authorization', value]);
    for (const body of [{ query: ME }, { query: LOGIN, variables: { input: { email: alice.user.email, password: PASSWORD } } }]) {
      const response = await postWithRawHeaders(headers, body);
      expect(response.status).toBe(400);
      expect(response.body.errors?.map((error) => error.extensions?.['code'])).toEqual(['BAD_REQUEST']);
      expect(response.body.data).toBeUndefined();
    }
  });

  it('one header still works', async () => {
    const response = await postWithRawHeaders(['authorization', `Bearer ${alice.token}`], { query: ME });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ me: { id: alice.user.id, email: alice.user.email, createdAt: alice.user.createdAt } });
  });
});
