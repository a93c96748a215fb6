import type http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { ApolloServerPlugin } from '@apollo/server';

export interface HttpDrain {
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), then closes every connection. */
  drain(graceMs: number): Promise<void>;
}

/**
 * Like Apollo's drain plugin, made for a server behind a load balancer (nginx, with keep-alive
 * connections to it), where a lost request is a failed request: GraphQL's POSTs are not idempotent,
 * so a proxy never retries one it has sent.
 * - It stops accepting, so the balancer's next connection is refused and goes to another instance
 *   (a refused connection carried no request: proxies retry it).
 * - Every request already received, or still arriving on an open connection, is answered, with
 *   `Connection: close`; the connection ends after its last answer.
 * - An idle keep-alive connection is never closed by the server before its keep-alive timeout: a
 *   proxy may be sending a request on it that very moment, and would get a reset for it (and answer
 *   its client 502). The client closes it (nginx after its upstream `keepalive_timeout`), or the
 *   server's keep-alive timeout does, as it would without a shutdown.
 * After `graceMs`, whatever is left is cut.
 */
export function trackRequests(server: http.Server): HttpDrain {
  const connections = new Set<Duplex>();
  const responsesInFlight = new Set<http.ServerResponse>();
  let draining = false;

  server.on('connection', (socket: Duplex) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  // A socket upgraded to WebSocket is no HTTP connection any more: the WebSocket server closes it,
  // with a close frame, on shutdown. (The server's close still waits for it.)
  server.prependListener('upgrade', (_request: http.IncomingMessage, socket: Duplex) => {
    connections.delete(socket);
    // The WebSocket server stopped listening when the drain began: an upgrade now (nginx sends a
    // reconnecting subscriber's on a pooled connection) would be left hanging, and the server's
    // close with it. Cut, the proxy retries it (a GET) on another instance.
    if (draining) socket.destroy();
  });
  // Ahead of the app's own listener, which may answer synchronously (a CORS preflight, a 404).
  server.prependListener('request', (_request: http.IncomingMessage, response: http.ServerResponse) => {
    if (draining) response.setHeader('connection', 'close');
    responsesInFlight.add(response);
    response.once('close', () => responsesInFlight.delete(response));
  });

  return {
    async drain(graceMs) {
      draining = true;
      // Answers still being worked on say `Connection: close` too (Node then ends the connection after
      // them), so the proxy sends nothing more on their connections. Ending a connection after an
      // answer that said keep-alive would race the proxy's next request on it.
      for (const response of responsesInFlight) if (!response.headersSent) response.setHeader('connection', 'close');
      // net.Server's close, not http.Server's: since Node 19 the latter also destroys every idle
      // keep-alive connection at once, which is the race described above.
      const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
      const deadline = setTimeout(() => {
        for (const socket of connections) socket.destroy();
      }, graceMs);
      await closed;
      clearTimeout(deadline);
    },
  };
}

/**
 * The drain as Apollo Server's documented drain plugin does it (`drainServer`, run by `stop()`
 * while Apollo still serves requests), with this drain instead of ApolloServerPluginDrainHttpServer.
 */
export function drainHttpServerPlugin(requests: HttpDrain, graceMs: number): ApolloServerPlugin {
  return {
    async serverWillStart() {
      return {
        async drainServer() {
          await requests.drain(graceMs);
        },
      };
    },
  };
}
