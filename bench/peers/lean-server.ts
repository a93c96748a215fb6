import http from 'node:http';
import pg from 'pg';
import { idleTimeout } from '../../src/auth/idle-timeout';
import { createSessionStore } from '../../src/auth/session-store';
import { validateSession, type Session } from '../../src/auth/sessions';
import { createTokenService } from '../../src/auth/tokens';
import { createDocumentCache } from './document-cache';
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
 * A peer for `npm run bench -- peers`: the least a GraphQL server can do around our session check.
 * node:http and graphql-js (documents parsed and validated once per query text, then executed), and
 * our own check, imported rather than copied so the two cannot drift: the JWT verified by our token
 * service (HS256, a KeyObject made once) and the login read by our session store's prepared
 * statement, against our server's database. The difference to our server is then the HTTP and
 * GraphQL layers alone. Run by the scenario as a child process:
 *
 *   DATABASE_URL=<our server's database> JWT_SECRET=<our server's> node dist/bench/peers/lean-server.js
 */

/** The same pool size as our server's (mikro-orm.config.ts). */
const POOL_SIZE = 10;
/** SESSION_IDLE_TIMEOUT's default (14d). */
const DEFAULT_IDLE_TIMEOUT_SECONDS = 14 * 24 * 60 * 60;
/** Only `validateSession` reads it, to tell an expired login apart; it signs nothing here. */
const TOKEN_TTL_SECONDS = 30 * 24 * 60 * 60;

const SCHEMA = `
  type Query { me: User }
  type User { id: ID! email: String! }
`;

interface RequestContext {
  readonly session: Session | null;
}

const rootValue = { me: (_args: unknown, context: RequestContext) => context.session?.user ?? null };

interface GraphQLRequest {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

async function main(): Promise<void> {
  const pool = new pg.Pool({ connectionString: requiredEnv('DATABASE_URL'), max: PEER_POOL_SIZE });
  let checkouts = 0;
  pool.on('acquire', () => (checkouts += 1));
  const tokens = createTokenService({ secret: requiredEnv('JWT_SECRET'), ttlSeconds: TOKEN_TTL_SECONDS });
  const store = createSessionStore(pool);
  // Our server's default idle timeout: the check does the same arithmetic. The bench's logins are
  // fresh, so none is ever idle; the lean server would refuse to revoke one rather than pretend.
  const idle = {
    timeout: idleTimeout(DEFAULT_IDLE_TIMEOUT_SECONDS),
    revoke: () => Promise.reject(new Error('the lean server does not revoke idle logins')),
  };
  const documents = createDocumentCache(SCHEMA);

  async function answer(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const body = JSON.parse(await readBody(request)) as GraphQLRequest;
    const checked = await validateSession(request.headers.authorization, { tokens, findLogin: store.find, idle, now: new Date() });
    // A missing, revoked or expired login (or a bad token) is refused before any GraphQL, as our server does.
    if (checked.status === 'rejected') return sendJson(response, 401, UNAUTHENTICATED_BODY);
    if (typeof body.query !== 'string') return sendJson(response, 400, JSON.stringify({ errors: [{ message: 'A query is required' }] }));
    const result = await documents.execute(body.query, {
      rootValue,
      contextValue: { session: checked.status === 'valid' ? checked.session : null } satisfies RequestContext,
      variableValues: typeof body.variables === 'object' ? (body.variables as Record<string, unknown> | null) : null,
      operationName: typeof body.operationName === 'string' ? body.operationName : null,
    });
    sendJson(response, 200, JSON.stringify(result));
  }

  const server = http.createServer((request, response) => {
    if (request.method === 'POST' && request.url === '/graphql') {
      answer(request, response).catch((error: unknown) => answerInternalError(response, error));
    } else if (request.method === 'GET' && request.url === PEER_STATS_PATH) {
      sendJson(response, 200, JSON.stringify({ poolCheckouts: checkouts } satisfies PeerStats));
    } else {
      sendJson(response, 404, JSON.stringify({ errors: [{ message: 'Not found' }] }));
    }
  });
  const origin = await listen(server);
  announce(`${origin}/graphql`, async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await pool.end();
  });
}

main().catch(exitOnStartupError);
