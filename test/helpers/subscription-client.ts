import { createClient, type Client } from 'graphql-ws';
import { expect } from 'vitest';
import WebSocket from 'ws';
import type { RunningServer } from '../../src/app';
import { GraphQLClient } from './graphql-client';
import { logInUser, registerUser, uniqueEmail } from './operations';

export const LOGIN_ACTIVITY = `subscription LoginActivity {
  loginActivity { kind at login { id device current revokedAt revokedReason } }
}`;

export interface LoginActivityEventView {
  kind: 'LOGIN' | 'REVOKED';
  at: string;
  login: { id: string; device: string; current: boolean; revokedAt: string | null; revokedReason: string | null };
}

export interface ClosedSocket {
  code: number;
  reason: string;
  /** performance.now() when the client saw the close. */
  at: number;
}

export interface SubscriptionOptions {
  /** Sent as `authorization: Bearer <token>` in connection_init. */
  token?: string;
  /** Sent as they are instead (overrides `token`). */
  connectionParams?: Record<string, unknown>;
  query?: string;
}

export const wsUrlOf = (httpUrl: string) => httpUrl.replace(/^http/, 'ws');

/**
 * A client app's view of one loginActivity subscription, with graphql-ws's own client over `ws`:
 * what arrives (events, errors) and how the socket closed. It never reconnects, so a close is final.
 */
export class SubscriptionClient {
  readonly events: LoginActivityEventView[] = [];
  /** GraphQL errors (in `next` or `error` messages), or anything else the client reported. */
  readonly errors: unknown[] = [];
  readonly closed: Promise<ClosedSocket>;
  readonly connected: Promise<void>;
  private readonly client: Client;
  private unsubscribe: () => void = () => {};
  private socketClosed: ClosedSocket | null = null;

  constructor(httpUrl: string, options: SubscriptionOptions = {}) {
    let onClosed!: (closed: ClosedSocket) => void;
    let onConnected!: () => void;
    this.closed = new Promise((resolve) => (onClosed = resolve));
    this.connected = new Promise((resolve) => (onConnected = resolve));
    this.client = createClient({
      url: wsUrlOf(httpUrl),
      webSocketImpl: WebSocket,
      connectionParams: options.connectionParams ?? (options.token ? { authorization: `Bearer ${options.token}` } : {}),
      lazy: false,
      retryAttempts: 0,
      // Errors are collected, not thrown: a test asserts them.
      onNonLazyError: (error) => this.record(error),
      on: {
        connected: () => onConnected(),
        closed: (event) => {
          const { code, reason } = event as { code: number; reason: string };
          this.socketClosed ??= { code, reason: String(reason), at: performance.now() };
          onClosed(this.socketClosed);
        },
      },
    });
    this.unsubscribe = this.client.subscribe<LoginActivityEventView>(
      { query: options.query ?? LOGIN_ACTIVITY },
      {
        next: (result) => {
          if (result.errors) this.errors.push(...result.errors);
          const event = (result.data as { loginActivity?: LoginActivityEventView } | null | undefined)?.loginActivity;
          if (event) this.events.push(event);
        },
        error: (error) => this.record(error),
        complete: () => {},
      },
    );
  }

  /** Close events are what `closed` reports; everything else is an error. */
  private record(error: unknown): void {
    if (Array.isArray(error)) this.errors.push(...error);
    else if (!(typeof error === 'object' && error !== null && 'code' in error && 'reason' in error)) this.errors.push(error);
  }

  get isClosed(): boolean {
    return this.socketClosed !== null;
  }

  /** Waits until `count` events have arrived. */
  async waitForEvents(count: number, timeout = 5_000): Promise<LoginActivityEventView[]> {
    await expect.poll(() => this.events.length, { timeout, interval: 10 }).toBeGreaterThanOrEqual(count);
    return this.events;
  }

  async close(): Promise<void> {
    this.unsubscribe();
    await this.client.dispose();
  }
}

/** Waits until the server has this many loginActivity subscriptions open: they are live from then on. */
export async function waitForSubscriptions(server: RunningServer, count: number, timeout = 5_000): Promise<void> {
  await expect.poll(() => server.liveStatus().subscriptions, { timeout, interval: 10 }).toBe(count);
}

/**
 * Waits until the server has heard of every login activity committed so far, so that a subscription
 * opened next hears nothing of what came before it. PostgreSQL hands the server's LISTEN connection
 * its notifications in commit order: once a fresh user's subscriber hears of a login made now, the
 * server has had every earlier notification (and dropped those nobody here was subscribed for).
 * Without this, on a busy machine, the notification of a login made just before subscribing can
 * arrive after the subscription is open, and the subscriber hears of it.
 * The probe user's subscription is closed again; the server's counts are back where they were.
 */
export async function activitySettled(server: RunningServer): Promise<void> {
  const before = server.liveStatus();
  const api = new GraphQLClient(server.url);
  const email = uniqueEmail('settle');
  const { token } = await registerUser(api.withHeaders({ 'user-agent': 'settle-probe/1' }), email);
  const probe = new SubscriptionClient(server.url, { token });
  try {
    await waitForSubscriptions(server, before.subscriptions + 1);
    await logInUser(api.withHeaders({ 'user-agent': 'settle-trigger/1' }), email);
    // A LOGIN event comes from a notification (an expiry, say, would not).
    await expect.poll(() => probe.events.some((event) => event.kind === 'LOGIN'), { timeout: 5_000, interval: 10 }).toBe(true);
  } finally {
    await probe.close();
    await expect
      .poll(() => server.liveStatus(), { timeout: 5_000, interval: 10 })
      .toMatchObject({ connections: before.connections, subscriptions: before.subscriptions });
  }
}

/** Opens subscriptions and closes them all after each test, so every test starts with none open. */
export function subscriptionClients() {
  const open = new Set<SubscriptionClient>();
  return {
    open(httpUrl: string, options: SubscriptionOptions = {}): SubscriptionClient {
      const client = new SubscriptionClient(httpUrl, options);
      open.add(client);
      return client;
    },
    /**
     * Opens one once the server has heard of all activity so far (see activitySettled), and waits
     * until the server has it among `expectedOpen` open subscriptions.
     */
    async subscribe(server: RunningServer, options: SubscriptionOptions, expectedOpen: number): Promise<SubscriptionClient> {
      await activitySettled(server);
      const client = this.open(server.url, options);
      await waitForSubscriptions(server, expectedOpen);
      return client;
    },
    async closeAll(...servers: RunningServer[]): Promise<void> {
      await Promise.all([...open].map((client) => client.close()));
      open.clear();
      for (const server of servers) await expect.poll(() => server.liveStatus().connections, { timeout: 5_000 }).toBe(0);
    },
  };
}
