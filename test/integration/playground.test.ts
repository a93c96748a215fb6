import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAYGROUND_ASSETS_PATH, PLAYGROUND_NOT_BUILT, playgroundRoutes } from '../../src/http/playground';
import { useTestServer, useTestServerOn, type ServerFixture } from '../helpers/fixture';

/** What Chromium sends when a user opens a URL. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
/** The real server, playground on (the default); the PLAYGROUND=false one runs on its database. */
const t = useTestServer();

const PAGE = '<!doctype html><title>login-activity playground</title><script type="module" src="/playground/assets/index-Ab12Cd34.js"></script>';

/** The routes on their own, in front of a stand-in for GraphQL that names itself. */
async function serveRoutes(buildDir: string, logLines: string[]) {
  const logger = pino({ level: 'warn' }, { write: (line: string) => logLines.push(line) });
  const app = express();
  app.use(playgroundRoutes({ logger, buildDir }));
  app.use('/graphql', (_req, res) => {
    res.status(418).json({ answeredBy: 'graphql' });
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('the playground routes', () => {
  let buildDir: string;
  let routes: Awaited<ReturnType<typeof serveRoutes>>;
  const logLines: string[] = [];

  beforeAll(async () => {
    buildDir = await mkdtemp(path.join(os.tmpdir(), 'playground-'));
    await mkdir(path.join(buildDir, 'assets'));
    await writeFile(path.join(buildDir, 'index.html'), PAGE);
    await writeFile(path.join(buildDir, 'assets', 'index-Ab12Cd34.js'), 'console.log("hi");');
    await writeFile(path.join(buildDir, 'assets', 'editor-Ef56Gh78.js'), 'console.log("a large bundle");\n'.repeat(1000));
    routes = await serveRoutes(buildDir, logLines);
  });
  afterAll(async () => {
    await routes?.close();
    await rm(buildDir, { recursive: true, force: true });
  });

  it('serve the page to a browser at GET /graphql, revalidated, under a CSP that allows same-origin workers', async () => {
    const response = await fetch(`${routes.base}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("worker-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toBe(PAGE);
    expect(logLines).toEqual([]);
  });

  it('serve the hashed assets with a year-long immutable cache', async () => {
    const response = await fetch(`${routes.base}${PLAYGROUND_ASSETS_PATH}/index-Ab12Cd34.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const missing = await fetch(`${routes.base}${PLAYGROUND_ASSETS_PATH}/index-00000000.js`);
    expect(missing.status).toBe(404);
  });

  it('gzip the assets for browsers that accept it', async () => {
    const url = `${routes.base}${PLAYGROUND_ASSETS_PATH}/editor-Ef56Gh78.js`;
    const compressed = await fetch(url, { headers: { 'accept-encoding': 'gzip' } });
    expect(compressed.headers.get('content-encoding')).toBe('gzip');
    expect(await compressed.text()).toBe('console.log("a large bundle");\n'.repeat(1000));
    const plain = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
  });

  it.each([
    ['a GET with a query, even from a browser', '/graphql?query=%7B__typename%7D', { accept: BROWSER_ACCEPT }],
    ['a GET with a persisted query hash', '/graphql?extensions=%7B%7D', { accept: BROWSER_ACCEPT }],
    ['a GET that accepts JSON', '/graphql', { accept: 'application/json' }],
    ['a GET that prefers JSON to HTML', '/graphql', { accept: 'application/graphql-response+json, text/html;q=0.5' }],
    ['a GET that accepts anything', '/graphql', { accept: '*/*' }],
    ['a GET without Accept', '/graphql', {}],
  ])('leave %s to GraphQL', async (_name, url, headers) => {
    const response = await fetch(`${routes.base}${url}`, { headers });
    expect(response.status).toBe(418);
    expect(await response.json()).toEqual({ answeredBy: 'graphql' });
  });

  it('leave a POST from a browser to GraphQL', async () => {
    const response = await fetch(`${routes.base}/graphql`, { method: 'POST', headers: { accept: BROWSER_ACCEPT } });
    expect(response.status).toBe(418);
  });

  it('without a build: warn at start-up, tell a browser how to build it, and leave GraphQL alone', async () => {
    const emptyDir = await mkdtemp(path.join(os.tmpdir(), 'playground-unbuilt-'));
    const lines: string[] = [];
    const unbuilt = await serveRoutes(emptyDir, lines);
    try {
      expect(lines.map((line) => JSON.parse(line) as { level: number; msg: string })).toEqual([
        expect.objectContaining({ level: 40, msg: expect.stringContaining('npm run build') }),
      ]);
      const page = await fetch(`${unbuilt.base}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
      expect(page.status).toBe(503);
      expect(page.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(await page.text()).toBe(PLAYGROUND_NOT_BUILT);
      const graphql = await fetch(`${unbuilt.base}/graphql`, { headers: { accept: 'application/json' } });
      expect(graphql.status).toBe(418);
    } finally {
      await unbuilt.close();
      await rm(emptyDir, { recursive: true, force: true });
    }
  });
});

/** GraphQL over HTTP as a client uses it with the playground on or off. */
function graphqlStillWorks(t: ServerFixture) {
  it('GET /graphql?query= still runs the query (with the CSRF preflight header), whatever the Accept', async () => {
    const url = new URL(t.server.url);
    url.searchParams.set('query', '{ __typename }');
    for (const accept of [BROWSER_ACCEPT, 'application/json']) {
      const response = await fetch(url, { headers: { accept, 'apollo-require-preflight': 'true' } });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
    }
  });

  it('POST /graphql is unaffected', async () => {
    const response = await fetch(t.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: '*/*' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });
}

describe('the real server, playground on (the default)', () => {
  graphqlStillWorks(t);

  it("no longer serves Apollo's landing page, which loads from a CDN", async () => {
    const response = await fetch(t.server.url, { headers: { accept: BROWSER_ACCEPT } });
    expect(await response.text()).not.toMatch(/apollographql\.com|https:\/\//);
  });
});

describe('the real server with PLAYGROUND=false', () => {
  const off = useTestServerOn(t, { PLAYGROUND: 'false' });
  graphqlStillWorks(off);

  it('answers a browser at GET /graphql as any GraphQL server does: a JSON 400, no page', async () => {
    const response = await fetch(off.server.url, { headers: { accept: BROWSER_ACCEPT } });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_REQUEST' }) })] });
  });

  it('serves no playground assets', async () => {
    const response = await fetch(new URL(`${PLAYGROUND_ASSETS_PATH}/index.js`, off.server.url));
    expect(response.status).toBe(404);
  });
});
