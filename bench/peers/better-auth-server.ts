import http from 'node:http';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { fromNodeHeaders, toNodeHandler } from 'better-auth/node';
import pg from 'pg';
import { betterAuthOptions } from './better-auth-options';
import {
  announce,
  answerInternalError,
  exitOnStartupError,
  listen,
  PEER_POOL_SIZE,
  PEER_STATS_PATH,
  readBody,
  requiredEnv,
  sendJson,
  UNAUTHENTICATED_BODY,
  type PeerStats,
} from './peer-http';

/**
 * A peer for `npm run bench -- peers`: better-auth's session check (`auth.api.getSession`) behind a
 * plain node:http server, answering POST /graphql as our server answers `{ me { id email } }`. Its
 * own handler is mounted at /api/auth, so the bench signs up, signs in and revokes over HTTP as a
 * browser would. Run by the scenario as a child process:
 *
 *   DATABASE_URL=… BETTER_AUTH_SECRET=… COOKIE_CACHE=on|off node dist/bench/peers/better-auth-server.js
 */

async function main(): Promise<void> {
  const pool = new pg.Pool({ connectionString: requiredEnv('DATABASE_URL'), max: PEER_POOL_SIZE });
  // Every query better-auth sends (through Kysely) checks a connection out of this pool: counting
  // checkouts tells the bench how many queries a session check costs.
  let checkouts = 0;
  pool.on('acquire', () => (checkouts += 1));

  const server = http.createServer();
  // The port is known only once listening, and better-auth wants its base URL (cookies, origin checks).
  const origin = await listen(server);
  const options = betterAuthOptions({
    origin,
    pool,
    secret: requiredEnv('BETTER_AUTH_SECRET'),
    cookieCache: requiredEnv('COOKIE_CACHE') === 'on',
  });
  // Its own tables (user, session, account, verification), created by its own migration.
  await (await getMigrations(options)).runMigrations();
  const auth = betterAuth(options);
  const authHandler = toNodeHandler(auth);

  async function me(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    // The body is read and parsed like any JSON request's, but no GraphQL is run: these figures are an
    // upper bound for better-auth behind a GraphQL server.
    JSON.parse(await readBody(request));
    const session = await auth.api.getSession({ headers: fromNodeHeaders(request.headers) });
    if (!session) return sendJson(response, 401, UNAUTHENTICATED_BODY);
    sendJson(response, 200, JSON.stringify({ data: { me: { id: session.user.id, email: session.user.email } } }));
  }

  server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
    const path = request.url ?? '/';
    if (path.startsWith('/api/auth/')) {
      authHandler(request, response).catch((error: unknown) => answerInternalError(response, error));
    } else if (request.method === 'POST' && path === '/graphql') {
      me(request, response).catch((error: unknown) => answerInternalError(response, error));
    } else if (request.method === 'GET' && path === PEER_STATS_PATH) {
      sendJson(response, 200, JSON.stringify({ poolCheckouts: checkouts } satisfies PeerStats));
    } else {
      sendJson(response, 404, JSON.stringify({ errors: [{ message: 'Not found' }] }));
    }
  });

  announce(`${origin}/graphql`, async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await pool.end();
  });
}

main().catch(exitOnStartupError);
