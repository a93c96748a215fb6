import type { Logger } from 'pino';
import type { ClientInfo } from '../auth/client-info';
import { LoginActivityKind, type LoginActivityNotice } from '../auth/login-activity';
import type { Logins } from '../auth/logins';
import type { Session, Sessions } from '../auth/sessions';
import type { UserLogin } from '../entities/user-login.entity';
import { UnauthenticatedReason } from '../errors';
import { concurrencyLimit } from '../lib/concurrency-limit';
import { RecentIds } from '../lib/recent-ids';
import type { UnauthorizedClose } from './close-codes';
import { LiveConnection, type ClosableSocket, type ConnectionPolicy } from './live-connection';
import { LoginActivityEvent } from './login-activity-event';

export interface HubDependencies {
  /** Connections per user, and subscriptions per user, on this instance. */
  readonly maxPerUser: number;
  /** Re-checks a connection's session: the very check of every HTTP request, at the time of the re-check. */
  readonly sessions: Pick<Sessions, 'validate'>;
  /** What the events carry: the logins as the database has them when the event is sent. */
  readonly logins: Pick<Logins, 'load'>;
  readonly logger: Logger;
}

export type ConnectOutcome =
  | { readonly status: 'connected'; readonly connection: LiveConnection }
  | { readonly status: 'too-many-connections' }
  | { readonly status: 'revoked' };

export interface HubCounts {
  readonly connections: number;
  readonly subscriptions: number;
}

/**
 * A revocation can be announced while a new connection's session check is in flight (the check read
 * the login just before the revocation committed); remembering revoked ids this long closes that gap.
 */
const RECENTLY_REVOKED_TTL_MS = 30_000;
/** Session re-checks run a few at a time, so re-checking many connections leaves the pool to requests. */
const RECHECK_CONCURRENCY = 4;

/** Whether the database's row says the login is no longer accepted. */
function hasEnded(login: UserLogin, now: Date): boolean {
  return login.revokedAt !== null || login.expiresAt.getTime() <= now.getTime();
}

/** What a connection whose login has ended is told: revoked (and why), or expired. */
function closeFor(login: UserLogin): UnauthorizedClose {
  return login.revokedAt !== null
    ? { reason: UnauthenticatedReason.SESSION_REVOKED, revokedReason: login.revokedReason }
    : { reason: UnauthenticatedReason.SESSION_EXPIRED, revokedReason: null };
}

/** A connection whose login row is gone (its account was deleted): its token names no login now. */
const LOGIN_GONE: UnauthorizedClose = { reason: UnauthenticatedReason.INVALID_TOKEN, revokedReason: null };

/**
 * The signed-in WebSockets of this instance, by user. It turns login activity notices into events
 * for the right connections and closes the connections whose own login ended.
 */
export class SubscriberHub {
  private readonly byUser = new Map<string, Set<LiveConnection>>();
  /** Connections by user whose session check is in flight (see reserve). */
  private readonly pending = new Map<string, number>();
  private readonly recentlyRevoked = new RecentIds(RECENTLY_REVOKED_TTL_MS);
  /** Each user's work runs one piece after another, so their events go out in commit order. */
  private readonly userQueues = new Map<string, Promise<void>>();
  private recheck: Promise<void> | null = null;
  private readonly policy: ConnectionPolicy;

  constructor(private readonly deps: HubDependencies) {
    this.policy = {
      maxSubscriptionsPerUser: deps.maxPerUser,
      mayOpenSubscription: (userId) => this.subscriptionsOf(userId) < deps.maxPerUser,
      expired: (connection) => this.endSession(connection),
    };
  }

  /**
   * Holds a place for a connection of `userId` whose session is about to be checked, or says no when
   * the user's open and pending connections already reach the cap: one token cannot queue hundreds
   * of session checks ahead of other users'. Call the returned release once the check is over.
   */
  reserve(userId: string): (() => void) | null {
    const pending = this.pending.get(userId) ?? 0;
    if ((this.byUser.get(userId)?.size ?? 0) + pending >= this.deps.maxPerUser) return null;
    this.pending.set(userId, pending + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.pending.get(userId) ?? 1) - 1;
      if (left > 0) this.pending.set(userId, left);
      else this.pending.delete(userId);
    };
  }

  /**
   * Registers a socket whose session has just been checked (the check read the database at
   * `checkedAt`, a Date.now() value). A REVOKED notice for its login received since then means the
   * check may have read the login just before its revocation committed: 'revoked', and the caller
   * checks again (the notice alone decides nothing: it could be forged).
   */
  connect(session: Session, authorization: string, client: ClientInfo, socket: ClosableSocket, checkedAt: number): ConnectOutcome {
    const noticeAt = this.recentlyRevoked.addedAt(session.loginId);
    if (noticeAt !== null && noticeAt >= checkedAt) return { status: 'revoked' };
    const connections = this.byUser.get(session.user.id) ?? new Set<LiveConnection>();
    if (connections.size >= this.deps.maxPerUser) return { status: 'too-many-connections' };
    const connection = new LiveConnection(session, authorization, client, socket, this.policy);
    connections.add(connection);
    this.byUser.set(session.user.id, connections);
    return { status: 'connected', connection };
  }

  /** Its socket closed. */
  disconnect(connection: LiveConnection): void {
    connection.closed();
    const connections = this.byUser.get(connection.userId);
    connections?.delete(connection);
    if (connections?.size === 0) this.byUser.delete(connection.userId);
  }

  counts(): HubCounts {
    let connections = 0;
    let subscriptions = 0;
    for (const userConnections of this.byUser.values()) {
      connections += userConnections.size;
      for (const connection of userConnections) subscriptions += connection.subscriptionCount;
    }
    return { connections, subscriptions };
  }

  /** A notice from the bus (any instance, this one included). */
  receive(notice: LoginActivityNotice): void {
    if (notice.kind === LoginActivityKind.REVOKED) this.recentlyRevoked.add(notice.loginIds);
    // Nobody here to tell: nothing to load.
    if (!this.byUser.has(notice.userId)) return;
    this.enqueue(notice.userId, () => this.route(notice));
  }

  /** The connection's session is over (revoked while the bus was down, or expired): REVOKED, then 4401. */
  endSession(connection: LiveConnection): void {
    this.enqueue(connection.userId, async () => {
      if (!connection.isOpen) return;
      const loaded = await this.loadOrFail(connection.userId, [connection.loginId]);
      const login = loaded?.[0];
      if (login) void connection.end(LoginActivityEvent.ended(login, new Date()), closeFor(login));
      else void connection.end(null, loaded === null ? null : LOGIN_GONE);
    });
  }

  /**
   * Runs the session check again for every open connection and ends those it rejects: what catches
   * a revocation whose notice was lost while the bus was down. One pass at a time; a pass stops at the
   * first database failure (the next pass retries).
   */
  recheckAll(): Promise<void> {
    this.recheck ??= this.recheckPass().finally(() => (this.recheck = null));
    return this.recheck;
  }

  private async recheckPass(): Promise<void> {
    const connections = [...this.byUser.values()].flatMap((userConnections) => [...userConnections]);
    const limit = concurrencyLimit(RECHECK_CONCURRENCY);
    let ended = 0;
    let failure: unknown = null;
    const recheck = async (connection: LiveConnection) => {
      if (failure !== null || !connection.isOpen) return;
      try {
        const result = await this.deps.sessions.validate(connection.authorization, new Date());
        if (result.status === 'valid') return;
        ended += 1;
        this.endSession(connection);
      } catch (error) {
        failure = error;
      }
    };
    await Promise.all(connections.map((connection) => limit(() => recheck(connection))));
    if (failure !== null) this.deps.logger.warn({ err: failure }, 'could not re-check subscription sessions; will retry');
    if (ended > 0) this.deps.logger.info({ ended, checked: connections.length }, 'closed subscriptions whose session ended');
  }

  private async route(notice: LoginActivityNotice): Promise<void> {
    const connections = [...(this.byUser.get(notice.userId) ?? [])].filter((connection) => connection.isOpen);
    if (connections.length === 0) return;
    const now = new Date();
    const loaded = await this.loadOrFail(notice.userId, notice.loginIds);
    // Anyone who can reach the database can NOTIFY on the channel: a REVOKED notice only ends what the
    // database says has ended, so a forged one closes nothing and tells nobody of a live login.
    const logins = new Map(
      (loaded ?? [])
        .filter((login) => notice.kind === LoginActivityKind.LOGIN || hasEnded(login, now))
        .map((login) => [login.id, login]),
    );
    const eventFor = (login: UserLogin) =>
      notice.kind === LoginActivityKind.LOGIN ? LoginActivityEvent.loggedIn(login) : LoginActivityEvent.ended(login, now);
    const events = notice.loginIds.flatMap((id) => {
      const login = logins.get(id);
      return login ? [{ loginId: id, event: eventFor(login) }] : [];
    });

    const loadedIds = new Set((loaded ?? []).map((login) => login.id));
    for (const connection of connections) {
      const named = notice.kind === LoginActivityKind.REVOKED && notice.loginIds.includes(connection.loginId);
      const own = named ? logins.get(connection.loginId) : undefined;
      // When the database could not be read, a REVOKED notice naming this login closes it anyway (fail
      // closed: the client reconnects through the full session check).
      const unread = named && loaded === null;
      // Named, and the database has no such login any more: its account was deleted.
      const gone = named && loaded !== null && !loadedIds.has(connection.loginId);
      for (const { loginId, event } of events) if (!(own && loginId === connection.loginId)) connection.deliver(event);
      // Its own revocation comes last, then the socket closes.
      if (own) void connection.end(LoginActivityEvent.ended(own, now), closeFor(own));
      else if (gone) void connection.end(null, LOGIN_GONE);
      else if (unread) void connection.end(null, null);
    }
  }

  /** The logins as the database has them, or null when it could not be read. */
  private async loadOrFail(userId: string, loginIds: readonly string[]): Promise<UserLogin[] | null> {
    try {
      return await this.deps.logins.load(userId, loginIds);
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'could not read logins for subscribers: events not sent');
      return null;
    }
  }

  private subscriptionsOf(userId: string): number {
    let count = 0;
    for (const connection of this.byUser.get(userId) ?? []) count += connection.subscriptionCount;
    return count;
  }

  private enqueue(userId: string, work: () => Promise<void>): void {
    const previous = this.userQueues.get(userId) ?? Promise.resolve();
    const queued: Promise<void> = previous
      .then(work)
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'could not deliver login activity'))
      .finally(() => {
        if (this.userQueues.get(userId) === queued) this.userQueues.delete(userId);
      });
    this.userQueues.set(userId, queued);
  }
}
