import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApolloServerPlugin } from '@apollo/server';

export interface HttpDrain {
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), then closes every connection. */
  drain(graceMs: number): Promise<void>;
}

/**
 * Like Apollo's drain plugin, with one difference that matters for a login server: a connection
 * with no request in progress is destroyed, not half-closed. Half-closing (`end()`) lets Node go on
 * to read a request that was already on its way, run it (a login gets written) and then fail to
 * answer it, so the client never learns of a login it caused. Destroyed, the request never runs.
 */
export function trackRequests(server: http.Server): HttpDrain {
  const requestsInFlight = new Map<Duplex, number>();
  let draining = false;

  server.on('connection', (socket: Duplex) => {
    requestsInFlight.set(socket, 0);
    socket.once('close', () => requestsInFlight.delete(socket));
  });
  // A socket upgraded to WebSocket is no HTTP connection any more: the WebSocket server closes it,
  // with a close frame, on shutdown. (The server's close still waits for it.)
  server.prependListener('upgrade', (_request: http.IncomingMessage, socket: Duplex) => {
    requestsInFlight.delete(socket);
  });
  // Ahead of the app's own listener, which may answer synchronously (a CORS preflight, a 404).
  server.prependListener('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
    const socket = request.socket;
    requestsInFlight.set(socket, (requestsInFlight.get(socket) ?? 0) + 1);
    if (draining) response.setHeader('connection', 'close');
    response.once('close', () => {
      const left = (requestsInFlight.get(socket) ?? 1) - 1;
      requestsInFlight.set(socket, left);
      if (draining && left === 0) socket.end();
    });
  });

  return {
    async drain(graceMs) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const [socket, requests] of requestsInFlight) if (requests === 0) socket.destroy();
      const deadline = setTimeout(() => {
        for (const socket of requestsInFlight.keys()) socket.destroy();
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
