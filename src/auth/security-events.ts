import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { RevokeReason } from '../entities/revoke-reason';
import { SecurityEvent, SecurityEventKind, type EventSource, type SecurityNotice } from '../entities/security-event.entity';
import { User } from '../entities/user.entity';
import { UserLogin } from '../entities/user-login.entity';
import { badUserInput } from '../errors';
import { uuidV7 } from '../lib/uuid-v7';
import { deleteInBatches } from './batched-delete';

/** One event to record: of whom, what, when, caused by which request, about which login. */
export interface SecurityEventRecord {
  readonly userId: string;
  readonly kind: SecurityEventKind;
  readonly at: Date;
  readonly source: EventSource;
  readonly loginId?: string | null;
  readonly revokedReason?: RevokeReason | null;
}

/** Hears of every notice inside the transaction that causes it, so it commits or rolls back with it. */
export type SecurityNoticeHook = (tx: EntityManager, notices: readonly SecurityNotice[]) => Promise<void>;

export interface SecurityEventPage {
  readonly events: SecurityEvent[];
  /** Each event's cursor, in the order of `events`. */
  readonly cursors: string[];
  readonly hasNextPage: boolean;
}

/** The idle sweep revokes without a request: its events have no address, agent or place. */
export const NO_SOURCE: EventSource = { ipAddress: '', userAgent: '', device: '', location: null };

/** How often a throttled account gets a LOGIN_THROTTLED event per IP address, at most: a flood of refused guesses is one line a minute. */
const THROTTLED_EVENT_INTERVAL_MS = 60_000;

/**
 * A user's security log, built once. Events are written in the transaction of what they record
 * (a login, a revocation, a password change), so a change that rolls back leaves no event behind.
 */
export interface SecurityEvents {
  /** Adds the events to the caller's transaction (flushed with it). */
  recordInTransaction(tx: EntityManager, records: readonly SecurityEventRecord[]): Promise<void>;
  /** A wrong password for this account: a statement of its own (nothing else changes). */
  recordFailedLogin(userId: string, source: EventSource, at: Date): Promise<void>;
  /** A login attempt for an existing account refused by a rate limit, at most once a minute per IP address. */
  recordThrottled(email: string, source: EventSource, at: Date): Promise<void>;
  /** Inside the deletion's transaction: no row is written (the log is deleted with the account), the hook hears of it. */
  recordAccountDeletedInTransaction(tx: EntityManager, userId: string, source: EventSource, at: Date): Promise<void>;
  /** The user's events, newest first: `first` of them after the cursor `after`. */
  page(userId: string, options: { first: number; after: string | null }): Promise<SecurityEventPage>;
  /** Deletes the events from before `before`; returns how many. */
  pruneInTransaction(tx: EntityManager, before: Date): Promise<number>;
}

function eventOf(tx: EntityManager, record: SecurityEventRecord): SecurityEvent {
  return new SecurityEvent({
    user: tx.getReference(User, record.userId, { wrapped: true }),
    kind: record.kind,
    at: record.at,
    source: record.source,
    login: record.loginId ? tx.getReference(UserLogin, record.loginId, { wrapped: true }) : null,
    revokedReason: record.revokedReason ?? null,
  });
}

/** The event's own source fields, not whatever else the record's source carried (a ClientInfo's browser names). */
function noticeOf(event: SecurityEvent, record: SecurityEventRecord): SecurityNotice {
  const { id, kind, at, ipAddress, userAgent, device, location, revokedReason } = event;
  return { id, userId: record.userId, kind, at, source: { ipAddress, userAgent, device, location }, loginId: record.loginId ?? null, revokedReason };
}

/** Opaque to clients: the (at, id) of the last event of a page, the order of the log. */
function cursorOf(event: SecurityEvent): string {
  return Buffer.from(JSON.stringify([event.at.toISOString(), event.id])).toString('base64url');
}

function positionOf(cursor: string): { at: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const date = typeof at === 'string' ? new Date(at) : null;
    if (date && !Number.isNaN(date.getTime()) && typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id)) return { at: date, id };
  } catch {
    // Not a cursor of ours: refused below.
  }
  throw badUserInput('after is not a cursor of this list.', 'after');
}

export function createSecurityEvents(orm: MikroORM, options: { readonly onNotice?: SecurityNoticeHook | null } = {}): SecurityEvents {
  const onNotice = options.onNotice ?? null;

  async function record(tx: EntityManager, records: readonly SecurityEventRecord[]): Promise<void> {
    if (records.length === 0) return;
    const events = records.map((record) => eventOf(tx, record));
    await tx.persist(events).flush();
    if (onNotice) await onNotice(tx, events.map((event, index) => noticeOf(event, records[index]!)));
  }

  /** A write of its own: in a transaction when the hook has work (a webhook's job) to commit with it, else as before. */
  const writeAlone = (work: (em: EntityManager) => Promise<void>) => (onNotice ? orm.em.fork().transactional(work) : work(orm.em.fork()));

  return {
    recordInTransaction: record,

    async recordFailedLogin(userId, source, at) {
      await writeAlone((em) => record(em, [{ userId, kind: SecurityEventKind.LOGIN_FAILED, at, source }]));
    },

    async recordThrottled(email, source, at) {
      const id = uuidV7();
      await writeAlone(async (tx) => {
        // One statement: the account (if there is one) and whether it already has a recent line from this address.
        const inserted = await tx.execute<Array<{ user_id: string }>>(
          `insert into security_events (id, user_id, kind, at, ip_address, user_agent, device, location_city, location_country, location_country_code)
           select ?, u.id, ?, ?, ?, ?, ?, ?, ?, ? from users u
           where u.email = ? and not exists (
             select 1 from security_events e
             where e.user_id = u.id and e.kind = ? and e.ip_address = ? and e.at > ?)
           returning user_id`,
          [
            id,
            SecurityEventKind.LOGIN_THROTTLED,
            at,
            source.ipAddress,
            source.userAgent,
            source.device,
            source.location?.city ?? null,
            source.location?.country ?? null,
            source.location?.countryCode ?? null,
            email,
            SecurityEventKind.LOGIN_THROTTLED,
            source.ipAddress,
            new Date(at.getTime() - THROTTLED_EVENT_INTERVAL_MS),
          ],
        );
        // Only a row inserted now is told of (none for an unknown email, or within the minute).
        const [row] = inserted;
        if (row && onNotice) {
          const { ipAddress, userAgent, device, location } = source;
          await onNotice(tx, [
            { id, userId: row.user_id, kind: SecurityEventKind.LOGIN_THROTTLED, at, source: { ipAddress, userAgent, device, location }, loginId: null, revokedReason: null },
          ]);
        }
      });
    },

    async recordAccountDeletedInTransaction(tx, userId, { ipAddress, userAgent, device, location }, at) {
      await onNotice?.(tx, [{ id: uuidV7(), userId, kind: 'ACCOUNT_DELETED', at, source: { ipAddress, userAgent, device, location }, loginId: null, revokedReason: null }]);
    },

    async page(userId, { first, after }) {
      const position = after === null ? null : positionOf(after);
      const events = await orm.em.fork().find(
        SecurityEvent,
        position
          ? { user: userId, $or: [{ at: { $lt: position.at } }, { at: position.at, id: { $lt: position.id } }] }
          : { user: userId },
        { orderBy: [{ at: 'desc' }, { id: 'desc' }], limit: first + 1, populate: ['login'] },
      );
      const page = events.slice(0, first);
      return { events: page, cursors: page.map(cursorOf), hasNextPage: events.length > first };
    },

    pruneInTransaction: (tx, before) => deleteInBatches(tx, 'security_events', 'at < ?', [before]),
  };
}
