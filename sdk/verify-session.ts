import { NetworkError, type SessionEndReason } from './errors';
import type { RevokeReason, Role } from './generated/graphql';

/** What the server's `GET /auth/session` says about a token. */
export type VerifiedSession =
  | {
      readonly valid: true;
      readonly userId: string;
      readonly loginId: string;
      readonly email: string;
      readonly role: Role;
      /** ISO 8601: when the login (and the token) stops being accepted at the latest. */
      readonly expiresAt: string;
    }
  | {
      readonly valid: false;
      /** LOGIN_REQUIRED when there was no token; else why the token is refused. */
      readonly reason: SessionEndReason | 'LOGIN_REQUIRED';
      /** For SESSION_REVOKED: why it was revoked. */
      readonly revokedReason: RevokeReason | null;
    };

export interface VerifySessionOptions {
  /** Defaults to the global `fetch`; pass your own for a timeout (`AbortSignal.timeout`) or an agent. */
  fetch?: typeof fetch;
}

/**
 * Asks the server whether `token` is a live session, with the same check as every GraphQL request
 * (the login row is read each time, so a revoked login is refused at once). For a Node service
 * that receives this server's tokens: call it per request, or trust the answer for a few seconds at
 * most. `url` is the server (`http://auth:4000`) or its GraphQL URL; the path is replaced.
 * Rejects with NetworkError when the server cannot answer (unreachable, 5xx).
 */
export async function verifySession(url: string | URL, token: string | undefined, options: VerifySessionOptions = {}): Promise<VerifiedSession> {
  const endpoint = new URL('/auth/session', url);
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(endpoint, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  } catch (error) {
    throw new NetworkError(`Could not reach ${endpoint.origin}: ${error instanceof Error ? error.message : String(error)}`, undefined, { cause: error });
  }
  const text = await response.text();
  if (response.status === 200 || response.status === 401) {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      throw new NetworkError(`${endpoint.href} answered HTTP ${response.status} without JSON`, response.status, { cause: error });
    }
    if (response.status === 200) return { valid: true, ...(body as Omit<Extract<VerifiedSession, { valid: true }>, 'valid'>) };
    return {
      valid: false,
      reason: body['reason'] as SessionEndReason | 'LOGIN_REQUIRED',
      revokedReason: (body['revokedReason'] as RevokeReason | undefined) ?? null,
    };
  }
  throw new NetworkError(`${endpoint.href} answered HTTP ${response.status}`, response.status);
}
