import type { IncomingMessage } from 'node:http';

/**
 * How many Authorization headers came: counted in the raw list, not `headersDistinct`, which copies
 * every header. Node keeps only the first of several; a proxy in front may use another, so more
 * than one is refused.
 */
export function authorizationHeaders(req: IncomingMessage): number {
  let count = 0;
  const raw = req.rawHeaders;
  for (let index = 0; index < raw.length; index += 2) {
    if (raw[index]!.toLowerCase() === 'authorization') count += 1;
  }
  return count;
}
