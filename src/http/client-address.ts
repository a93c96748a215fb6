import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import proxyAddress from 'proxy-addr';

export type ClientAddressOf = (req: IncomingMessage) => string | undefined;

/**
 * The client's IP address, trusting `trustedHops` proxies in front of this server (TRUST_PROXY):
 * with 0 the socket's address, otherwise the X-Forwarded-For entry that many hops back (as Express'
 * `trust proxy` with a hop count reads it). Only an IP address is taken from the header: anything
 * else a client or a misconfigured proxy wrote there (a 3,000-character string, an HTML tag, a
 * hostname) gives the socket's address, so it is never stored, shown in `myLogins` or used as a
 * rate-limit key.
 */
export function clientAddressFrom(trustedHops: number): ClientAddressOf {
  const trusted = (_address: string, hop: number) => hop < trustedHops;
  return (req) => {
    const forwarded = proxyAddress(req, trusted);
    if (forwarded !== undefined && isIP(forwarded) !== 0) return forwarded;
    return req.socket.remoteAddress;
  };
}
