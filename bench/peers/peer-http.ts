import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** The same pool size as our server's (mikro-orm.config.ts). */
export const PEER_POOL_SIZE = 10;

/** What the parent process waits for on a peer's stdout: the line that says it is listening, and where. */
export const READY_LINE = 'peer ready at ';

/** The answer every peer gives a request it does not accept, as our server does: HTTP 401. */
export const UNAUTHENTICATED_BODY = JSON.stringify({
  errors: [{ message: 'Not authenticated', extensions: { code: 'UNAUTHENTICATED' } }],
});

/**
 * GET on this path answers how many connections the peer's pool has handed out so far: every query
 * checks one out, so the bench divides the difference by the requests sent to get queries per request.
 */
export const PEER_STATS_PATH = '/peer-stats';

export interface PeerStats {
  readonly poolCheckouts: number;
}

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export function sendJson(response: http.ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

/** A request that failed for a reason of the peer's own: logged, and answered 500 so that the load counts it as an error. */
export function answerInternalError(response: http.ServerResponse, error: unknown): void {
  console.error(error);
  if (!response.headersSent) sendJson(response, 500, JSON.stringify({ errors: [{ message: 'Internal server error' }] }));
}

/** Listens on a free port of 127.0.0.1 (PORT=0, as the bench runs our server) and resolves with the origin. */
export function listen(server: http.Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

/** Tells the parent the peer is ready, and stops the peer cleanly on the SIGTERM the parent sends at the end. */
export function announce(url: string, close: () => Promise<void>): void {
  process.stdout.write(`${READY_LINE}${url}\n`);
  process.once('SIGTERM', () => {
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

/** A peer that cannot start says why on stderr and exits, so the parent's wait ends with the reason. */
export function exitOnStartupError(error: unknown): never {
  console.error(error);
  process.exit(1);
}
