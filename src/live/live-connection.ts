import type { ClientInfo } from '../auth/client-info';
import type { Session } from '../auth/sessions';
import { invalidSession, tooManySubscriptions } from '../errors';
import { runAt, sleep, type Cancellable } from '../lib/timers';
import { CloseCode, unauthorizedCloseReason, type UnauthorizedClose } from './close-codes';
import { EventStream } from './event-stream';
import type { LoginActivityEvent } from './login-activity-event';

/** The part of a WebSocket a connection needs: a way to close it. */
export interface ClosableSocket {
  close(code: number, reason: string): void;
}

/** What the hub decides for a connection. */
export interface ConnectionPolicy {
  /** The per-user cap on subscriptions. */
  readonly maxSubscriptionsPerUser: number;
  /** Whether the user may open one more subscription right now (counted across their connections). */
  mayOpenSubscription(userId: string): boolean;
  /** The login's expiry passed while connected. */
  expired(connection: LiveConnection): void;
}

/** Events held for a subscription whose client does not read; logins are rare, so this is far beyond normal. */
const SUBSCRIPTION_BACKLOG = 100;
/**
 * After its session ends, a connection waits this long at most for its REVOKED event to be written
 * before it closes anyway, so a client that stopped reading cannot keep its socket open.
 */
export const END_DELIVERY_DEADLINE_MS = 500;

/**
 * One signed-in WebSocket: its session (checked at connection_init), its loginActivity
 * subscriptions, and its closing when that session ends.
 */
export class LiveConnection {
  private readonly streams = new Set<EventStream<LoginActivityEvent>>();
  private phase: 'open' | 'ending' | 'closed' = 'open';
  private readonly expiry: Cancellable;

  constructor(
    readonly session: Session,
    /** The Authorization value it connected with, to run the same session check again later. */
    readonly authorization: string,
    readonly client: ClientInfo,
    private readonly socket: ClosableSocket,
    private readonly policy: ConnectionPolicy,
  ) {
    this.expiry = runAt(session.expiresAt, () => policy.expired(this));
  }

  get userId(): string {
    return this.session.user.id;
  }

  get loginId(): string {
    return this.session.loginId;
  }

  /** False once its session has ended (it is closing) or its socket has closed. */
  get isOpen(): boolean {
    return this.phase === 'open';
  }

  get subscriptionCount(): number {
    return this.streams.size;
  }

  /** A new loginActivity subscription on this socket. */
  openSubscription(): AsyncIterableIterator<LoginActivityEvent> {
    if (this.phase !== 'open') throw invalidSession();
    if (!this.policy.mayOpenSubscription(this.userId)) throw tooManySubscriptions(this.policy.maxSubscriptionsPerUser);
    const stream: EventStream<LoginActivityEvent> = new EventStream(SUBSCRIPTION_BACKLOG, () => this.streams.delete(stream));
    this.streams.add(stream);
    return stream;
  }

  deliver(event: LoginActivityEvent): void {
    if (this.phase !== 'open') return;
    for (const stream of this.streams) {
      if (!stream.push(event)) {
        // Better to drop the client, which reconnects and reloads, than to grow a queue or skip events silently.
        this.close(CloseCode.TryAgainLater, 'Events not read fast enough');
        return;
      }
    }
  }

  /**
   * Its session ended: sends `finalEvent` (REVOKED for its own login) to every subscription, then
   * closes with 4401 once that has been written, or after END_DELIVERY_DEADLINE_MS. With no event
   * (the login could not be read, or is gone with its account), it just closes. `why` goes in the
   * close reason; null when the server cannot tell.
   */
  async end(finalEvent: LoginActivityEvent | null, why: UnauthorizedClose | null): Promise<void> {
    if (this.phase !== 'open') return;
    this.phase = 'ending';
    this.expiry.cancel();
    const streams = [...this.streams];
    if (finalEvent) for (const stream of streams) stream.push(finalEvent);
    await Promise.race([Promise.all(streams.map((stream) => stream.drained())), sleep(END_DELIVERY_DEADLINE_MS)]);
    this.close(CloseCode.Unauthorized, unauthorizedCloseReason(why));
  }

  /** Its socket closed, whoever closed it. */
  closed(): void {
    this.phase = 'closed';
    this.expiry.cancel();
    for (const stream of [...this.streams]) stream.finish();
  }

  private close(code: CloseCode, reason: string): void {
    if (this.phase === 'closed') return;
    this.socket.close(code, reason);
  }
}
