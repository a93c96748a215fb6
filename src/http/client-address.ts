import { isIP } from 'node:net';
import type { Request } from 'express';

/**
 * The client's IP address: Express' `req.ip`, which with TRUST_PROXY comes from X-Forwarded-For,
 * only when it is an IP address; anything else a client or a misconfigured proxy wrote there (a
 * 3,000-character string, an HTML tag, a hostname) gives the socket's address, so it is never
 * stored, shown in `myLogins` or used as a rate-limit key.
 */
export function clientAddress(req: Request): string | undefined {
  const forwarded = req.ip;
  if (forwarded !== undefined && isIP(forwarded) !== 0) return forwarded;
  return req.socket.remoteAddress;
}
