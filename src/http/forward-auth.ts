import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { endReasonOf, type Sessions } from '../auth/sessions';
import { isDatabaseUnavailable } from '../db/availability';
import { ErrorCode, UnauthenticatedReason } from '../errors';
import { authorizationHeaders } from './authorization-headers';

/**
 * Where other services (through nginx `auth_request`, Traefik `forwardAuth`, Envoy `ext_authz`) ask
 * whether a bearer token is a live session. Envoy's HTTP ext_authz appends the original path, so
 * everything below it is the same check.
 */
export const FORWARD_AUTH_PATH = '/auth/session';

const FORWARD_AUTH_PATHS = new RegExp(`^${FORWARD_AUTH_PATH}(?:[/?]|$)`);

export const isForwardAuthRequest = (req: IncomingMessage): boolean => FORWARD_AUTH_PATHS.test(req.url ?? '');

/** The headers a proxy copies onto the request it lets through (`auth_request_set`, `authResponseHeaders`). */
export const FORWARD_AUTH_HEADERS = { userId: 'x-user-id', loginId: 'x-login-id', role: 'x-user-role' } as const;

/** 200's body: who the session is, and until when its token is accepted. */
export interface ForwardAuthSession {
  readonly userId: string;
  readonly loginId: string;
  readonly email: string;
  readonly role: string;
  readonly expiresAt: string;
}

function send(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    // Each answer is about this token now: a cached "yes" would outlive a revocation.
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(json);
}

/** RFC 6750: a missing token gets a bare challenge, a refused one says `invalid_token`. */
const challenge = (refused: boolean) => ({ 'www-authenticate': refused ? 'Bearer error="invalid_token"' : 'Bearer' });

/**
 * GET (or any method) /auth/session: the same session check as GraphQL (`sessions.validate`, which
 * reads the login row every time), answered as a proxy wants it. The request's body is never read.
 * A use of the session, like a GraphQL request: it moves `lastSeenAt` (the idle timeout slides).
 */
export function forwardAuthHandler(sessions: Sessions, logger: Logger): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const now = new Date();
    if (authorizationHeaders(req) > 1) {
      send(res, 401, { reason: UnauthenticatedReason.INVALID_TOKEN }, challenge(true));
      return;
    }
    let result;
    try {
      result = await sessions.validate(req.headers.authorization, now);
    } catch (error) {
      const unavailable = isDatabaseUnavailable(error);
      logger.warn({ err: error }, unavailable ? 'database unavailable' : 'session check failed');
      // A proxy answers its client 500 for anything but 2xx, 401 and 403: the request is refused either way.
      send(res, unavailable ? 503 : 500, { error: unavailable ? ErrorCode.SERVICE_UNAVAILABLE : ErrorCode.INTERNAL_SERVER_ERROR });
      return;
    }
    if (result.status === 'anonymous') {
      send(res, 401, { reason: UnauthenticatedReason.LOGIN_REQUIRED }, challenge(false));
      return;
    }
    if (result.status === 'rejected') {
      const { reason, revokedReason } = endReasonOf(result);
      send(res, 401, revokedReason ? { reason, revokedReason } : { reason }, challenge(true));
      return;
    }
    const { session } = result;
    sessions.touch(session, now);
    const body: ForwardAuthSession = {
      userId: session.user.id,
      loginId: session.loginId,
      email: session.user.email,
      role: session.user.role,
      expiresAt: session.expiresAt.toISOString(),
    };
    send(res, 200, body, {
      [FORWARD_AUTH_HEADERS.userId]: session.user.id,
      [FORWARD_AUTH_HEADERS.loginId]: session.loginId,
      [FORWARD_AUTH_HEADERS.role]: session.user.role,
    });
  };
}
