import type { Logger } from 'pino';
import type { ClientInfo } from '../auth/client-info';
import type { Session } from '../auth/sessions';
import type { LiveConnection } from '../live/live-connection';

export interface RequestLogFields {
  bind(fields: Readonly<Record<string, unknown>>): void;
}

/** A query or mutation over HTTP, its session checked by the context builder (src/http/context.ts). */
export interface HttpContext {
  readonly transport: 'http';
  /** Null for an anonymous request. */
  readonly session: Session | null;
  /**
   * Where the request comes from, as a login records it. Worked out when first asked (register and
   * login do): parsing a user agent is a measurable share of a request that never needs it.
   */
  clientInfo(): ClientInfo;
  /** This request's logger: its lines carry the request id, and the user and operation once known. */
  readonly log: Logger;
  /** Adds fields to this request's log line and to its later lines (the HTTP layer's request log). */
  readonly requestLog: RequestLogFields;
  /** Logins created by this request (register/login): `current` for the token it returns. */
  readonly issuedLoginIds: Set<string>;
}

/**
 * A subscription on a WebSocket (src/http/websocket-server.ts), whose session was checked at
 * connection_init with the same function as an HTTP request's: it always has one.
 */
export interface LiveContext {
  readonly transport: 'live';
  readonly session: Session;
  readonly connection: LiveConnection;
  /** A socket has no request line; its lines carry the session instead. */
  readonly log: Logger;
}

export type Context = HttpContext | LiveContext;
