import express, { type Router } from 'express';
import type { SigningKeys } from '../auth/signing-keys';

export const JWKS_PATH = '/.well-known/jwks.json';

/**
 * The public keys that verify this server's ES256 tokens (RFC 7517), the signing key first, then the
 * previous one during a rotation. A cached copy may be 5 minutes old: a rotation keeps the key it
 * replaces listed (JWT_PRIVATE_KEY_PREVIOUS), so a copy from before it still verifies the tokens
 * signed until then, and a verifier that meets an unknown kid fetches again (jose does).
 * Served with HS256 never: the route is not registered, and the path is a 404 like any other.
 */
export function jwksRoutes(keys: SigningKeys): Router {
  const body = JSON.stringify({ keys: [keys.current.jwk, ...(keys.previous ? [keys.previous.jwk] : [])] });
  const router = express.Router();
  router.get(JWKS_PATH, (_req, res) => {
    res
      .status(200)
      .set({
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'public, max-age=300',
        // Public keys: any origin's page may read them (a verifier in the browser).
        'access-control-allow-origin': '*',
      })
      .send(body);
  });
  return router;
}
