import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import accepts from 'accepts';
import compression from 'compression';
import express, { type Router } from 'express';
import type { Logger } from '../logger';
import { searchOf } from './request-target';

/** Where the page's hashed scripts, styles, workers and fonts are served (Vite's `base` + `assets/`). */
export const PLAYGROUND_ASSETS_PATH = '/playground/assets';

/** The project root: the nearest folder above this file (in src/http/ or dist/src/http/) with a package.json. */
function projectRoot(): string {
  let folder = __dirname;
  while (!existsSync(path.join(folder, 'package.json'))) folder = path.dirname(folder);
  return folder;
}

/** What `npm run build` (vite build --config playground/vite.config.mts) produces. */
export const PLAYGROUND_BUILD_DIR = path.join(projectRoot(), 'dist', 'playground');

export const PLAYGROUND_NOT_BUILT =
  'The GraphQL playground is not built. Run `npm run build` (or `npm run build:playground`), then restart the server.\n' +
  'GraphQL itself works: POST /graphql with a JSON body.\n';

const SECURITY_HEADERS = {
  'content-security-policy': [
    "default-src 'self'",
    // Monaco runs its language services in web workers loaded from this origin.
    "worker-src 'self'",
    // Monaco and GraphiQL position and colour what they draw with inline styles.
    "style-src 'self' 'unsafe-inline'",
    // GraphiQL's fonts are inlined in its CSS as data: URLs.
    "font-src 'self' data:",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Every type Apollo Server can answer a GET with, so that HTML wins only when the client prefers it. */
const GRAPHQL_MEDIA_TYPES = ['application/json', 'application/graphql-response+json', 'multipart/mixed'];

/** Where the page is: GET (and so HEAD) /graphql, or /graphql/, in any case, as Express routes match. */
const PAGE_PATH = /^\/graphql\/?(?:\?|$)/i;

/**
 * Apollo's rule for its landing page (a GET whose Accept header prefers HTML to GraphQL's types),
 * except that a GET carrying an operation is always GraphQL over HTTP.
 */
export function wantsPlayground(req: IncomingMessage): boolean {
  if ((req.method !== 'GET' && req.method !== 'HEAD') || !PAGE_PATH.test(req.url ?? '')) return false;
  const search = new URLSearchParams(searchOf(req.url));
  if (search.has('query') || search.has('extensions')) return false;
  return accepts(req).type([...GRAPHQL_MEDIA_TYPES, 'text/html']) === 'text/html';
}

function readPage(buildDir: string): string | undefined {
  try {
    return readFileSync(path.join(buildDir, 'index.html'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The GraphiQL page for browsers at GET /graphql, and its assets. Mount before the GraphQL
 * middleware: requests that are not for the page fall through to it. The page is read once, at
 * start-up; without a build the server still runs and the page explains how to build it.
 */
export function playgroundRoutes({ logger, buildDir = PLAYGROUND_BUILD_DIR }: { logger: Logger; buildDir?: string }): Router {
  const page = readPage(buildDir);
  if (page === undefined) {
    logger.warn({ buildDir }, 'the GraphQL playground is not built (run `npm run build`): GET /graphql from a browser explains how');
  }

  const router = express.Router();
  router.use(
    PLAYGROUND_ASSETS_PATH,
    // Monaco makes the bundle about 7 MB; gzip brings it near 2 MB for a playground on a remote server.
    compression(),
    // File names carry a content hash: a changed file gets a new name, so a year-long cache is safe.
    express.static(path.join(buildDir, 'assets'), {
      index: false,
      immutable: true,
      maxAge: '1y',
      setHeaders: (res) => res.set('x-content-type-options', 'nosniff'),
    }),
  );
  // Browsers ask for it with every page; the playground has no icon, and a 404 would be logged as an error.
  router.get('/favicon.ico', (_req, res) => {
    res.set('cache-control', 'public, max-age=86400').status(204).end();
  });
  router.get('/graphql', (req, res, next) => {
    if (!wantsPlayground(req)) return next();
    res.set(SECURITY_HEADERS);
    if (page === undefined) {
      res.status(503).type('text/plain').send(PLAYGROUND_NOT_BUILT);
      return;
    }
    // Names the current hashed assets: always revalidated, so a new build shows up on reload.
    res.set('cache-control', 'no-cache').type('html').send(page);
  });
  return router;
}
