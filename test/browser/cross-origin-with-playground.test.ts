import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithChromium, newContextWithRealPreflights, useChromium } from '../helpers/browser';
import { closedPort } from '../helpers/closed-port';
import { useTestServer } from '../helpers/fixture';
import { registerUser } from '../helpers/operations';

/** The page of an app served from another origin than the API: a blank page to run fetch in. */
async function serveAppPage(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>another origin</title><p>app</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describeWithChromium('an app on another origin, with the playground on', () => {
  // PLAYGROUND=true is the default; said here because the rule is about it.
  const t = useTestServer({ PLAYGROUND: 'true' });
  const chromium = useChromium();
  let app: Awaited<ReturnType<typeof serveAppPage>>;

  beforeAll(async () => {
    app = await serveAppPage();
  });
  afterAll(() => app?.close());

  it('calls the API with fetch and an Authorization header: the preflight gets the CORS headers', async () => {
    expect(new URL(app.url).origin).not.toBe(new URL(t.server.url).origin);
    const { user, token } = await registerUser(t.api);
    // Not newLocalContext: its routes make Playwright answer the preflight instead of the server.
    const { context, foreignRequests } = await newContextWithRealPreflights(chromium.browser, [app.url, t.server.url], await closedPort());
    try {
      const page = await context.newPage();
      await page.goto(app.url);

      // Runs in the page (the tests' TypeScript has no DOM types: only globalThis is touched).
      const result = await page.evaluate(
        async ({ url, token }) => {
          try {
            const response = await globalThis.fetch(url, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
              body: JSON.stringify({ query: '{ me { id email } }' }),
            });
            return { status: response.status, requestId: response.headers.get('x-request-id'), body: (await response.json()) as unknown };
          } catch (error) {
            return { failed: String(error) };
          }
        },
        { url: t.server.url, token },
      );

      expect(result).toMatchObject({ status: 200, body: { data: { me: { id: user.id, email: user.email } } } });
      // The exposed header is readable from the other origin too.
      expect((result as { requestId?: string }).requestId).toMatch(/.+/);
      expect(foreignRequests).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('answers the preflight itself as with the playground off: 204 with the Access-Control-Allow-* headers', async () => {
    const response = await fetch(t.server.url, {
      method: 'OPTIONS',
      headers: {
        origin: new URL(app.url).origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
  });
});
