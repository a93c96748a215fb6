import { ApolloLink } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { createClient, type Client } from 'graphql-ws';
import { throwError } from 'rxjs';
import { sessionEndOfClose } from '../../../sdk/errors';
import { LiveCloseCode } from '../../../sdk/live-errors';
import { waitToReconnect } from '../../../sdk/reconnect';
import type { SessionStore } from './session';

/** How the live socket is doing, for the indicator next to the device list. */
export type SocketStatus = 'connecting' | 'connected' | 'reconnecting';


/** The WebSocket URL of a GraphQL endpoint: same host and path, ws: or wss:; a relative one ('/graphql') is resolved against the page. */
export function webSocketUrlOf(graphqlUrl: string, pageUrl: string): string {
  const url = new URL(graphqlUrl, pageUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

function closeCodeOf(event: unknown): number | undefined {
  return typeof event === 'object' && event !== null && 'code' in event && typeof event.code === 'number' ? event.code : undefined;
}

interface SignedInSocket {
  readonly token: string;
  readonly client: Client;
  readonly link: GraphQLWsLink;
}

/**
 * Subscriptions travel over one graphql-ws socket per signed-in session. It opens with the first
 * subscription (graphql-ws is lazy) and sends that session's token in connection_init; when the
 * session ends or changes it is disposed, so the next sign-in connects afresh with its own token.
 * A close with 4401 ends the session, like an HTTP 401; other closes are retried, with backoff.
 */
export class SessionSocket {
  /** The terminating link for subscriptions; queries and mutations stay on HTTP. */
  readonly link = new ApolloLink((operation) => {
    const socket = this.socketOfCurrentSession();
    return socket ? socket.link.request(operation) : throwError(() => new Error('Subscriptions need a signed-in session.'));
  });

  private socket: SignedInSocket | null = null;
  private status: SocketStatus = 'connecting';
  private readonly statusListeners = new Set<() => void>();

  constructor(
    private readonly session: SessionStore,
    private readonly url: string,
  ) {
    session.subscribe(() => {
      if (this.socket !== null && this.socket.token !== session.token) this.dispose();
    });
  }

  readonly getStatus = (): SocketStatus => this.status;

  readonly subscribeStatus = (listener: () => void): (() => void) => {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  };

  private socketOfCurrentSession(): SignedInSocket | null {
    const token = this.session.token;
    if (token === null) return null;
    if (this.socket?.token !== token) {
      this.dispose();
      this.socket = this.open(token);
    }
    return this.socket;
  }

  private open(token: string): SignedInSocket {
    const client: Client = createClient({
      url: this.url,
      // Browsers cannot set headers on a WebSocket: the token goes in connection_init, on every (re)connection.
      connectionParams: () => ({ authorization: `Bearer ${token}` }),
      lazy: true,
      // graphql-ws gives up by itself on the codes that retrying cannot fix (4401, 4429, 4400, 1009, ...).
      // Anything else is worth another try, for as long as the page is open: a restart (1001), a busy
      // or unreachable database (1013), a refused connection (an error event, not a close).
      retryAttempts: Infinity,
      shouldRetry: () => true,
      // The SDK's: within half a second after a restart's 1001 (another instance answers), then backing off.
      retryWait: waitToReconnect,
      on: {
        connecting: (isRetry) => this.setStatus(client, isRetry ? 'reconnecting' : 'connecting'),
        connected: () => this.setStatus(client, 'connected'),
        closed: (event) => {
          // 4401: the server refused the token at connection_init, or this login ended while connected
          // (after its REVOKED event). graphql-ws never retries it. Its reason carries the codes an
          // HTTP 401 would (SESSION_REVOKED: PASSWORD_CHANGED...), for the sign-in form's notice.
          if (closeCodeOf(event) === LiveCloseCode.Unauthorized) this.session.loginEnded(token, sessionEndOfClose(event));
          else this.setStatus(client, 'reconnecting');
        },
      },
    });
    return { token, client, link: new GraphQLWsLink(client) };
  }

  private dispose(): void {
    const socket = this.socket;
    if (socket === null) return;
    this.socket = null;
    this.updateStatus('connecting');
    // Disposing waits for a connection attempt under way; one that fails leaves nothing to close.
    Promise.resolve(socket.client.dispose()).catch(() => {});
  }

  /** Only the current session's socket speaks for the status; a disposed one's last events do not. */
  private setStatus(client: Client, status: SocketStatus): void {
    if (this.socket?.client === client) this.updateStatus(status);
  }

  private updateStatus(status: SocketStatus): void {
    if (status === this.status) return;
    this.status = status;
    for (const listener of this.statusListeners) listener();
  }
}
