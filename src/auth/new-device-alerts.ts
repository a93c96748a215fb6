import { createHash, randomBytes } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { AlertLink } from '../entities/alert-link.entity';
import type { Location } from '../entities/location';
import { RevokeReason } from '../entities/revoke-reason';
import { SecurityEventKind, type EventSource } from '../entities/security-event.entity';
import { UserLogin } from '../entities/user-login.entity';
import type { NewDeviceAlert } from '../mail/new-device-alert-mail';
import { lockAccount, type Logins } from './logins';
import type { SecurityEvents } from './security-events';
import { isUuid } from './tokens';

/** The job that sends one new-sign-in email, by the login it is about. */
export const NEW_DEVICE_ALERT_JOB = 'new-device-alert';
/** A "this wasn't me" link works this long after its email was sent. */
export const ALERT_LINK_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

export interface NewDeviceAlertJob {
  readonly loginId: string;
}

/** A job's payload as the queue hands it back (it could be from another version: checked, not trusted). */
export function parseNewDeviceAlertJob(payload: unknown): NewDeviceAlertJob {
  const loginId = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>)['loginId'] : undefined;
  if (typeof loginId !== 'string' || !isUuid(loginId)) throw new Error('a new-device-alert job without a login id');
  return { loginId };
}

/** The login a link names, as its page shows it. */
export interface AlertLinkView {
  readonly device: string;
  readonly ipAddress: string;
  readonly location: Location | null;
  readonly createdAt: Date;
  /** Already revoked (for whatever reason): the button has nothing left to do. */
  readonly revoked: boolean;
}

export type AlertLinkOutcome = 'revoked' | 'already-revoked' | 'invalid';

/** Adds a job to the durable queue inside the caller's transaction (it runs only if that commits). */
export type EnqueueJob = (tx: EntityManager, task: string, payload: Record<string, unknown>) => Promise<void>;

/**
 * New-sign-in emails, built once: which login is from a new device (decided in the login's
 * transaction, where its email is queued), the sending of each email by the queue's worker, and the
 * single-use link in it that revokes that one login (NOT_ME).
 */
export interface NewDeviceAlerts {
  /** Whether emails go out at all (SMTP_URL, or the log in development; NEW_DEVICE_ALERTS). */
  readonly enabled: boolean;
  /**
   * Inside the login's transaction, after the login was added: when it is from a new device, records
   * NEW_DEVICE_ALERT and queues its email. Never for a registration (the caller does not ask).
   */
  queueIfNewInTransaction(tx: EntityManager, login: UserLogin, now: Date): Promise<boolean>;
  /** The worker's part: makes the login's link and sends its email (a retried job makes a new link). */
  deliver(job: NewDeviceAlertJob, send: (alert: NewDeviceAlert) => Promise<void>, publicUrl: string, now: Date): Promise<void>;
  /** The login a link names, or null for a link that is unknown, used or expired. Changes nothing. */
  describe(token: string, now: Date): Promise<AlertLinkView | null>;
  /** Uses the link: revokes its login (NOT_ME), once; the request's `source` goes in the security log. */
  logOut(token: string, source: EventSource, now: Date): Promise<AlertLinkOutcome>;
}

const hashOf = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** Links are 32 random bytes in base64url; anything else is not worth a database lookup. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function createNewDeviceAlerts(options: {
  readonly orm: MikroORM;
  /** `transactional`: the NOT_ME revocation is counted once it commits. */
  readonly logins: Pick<Logins, 'revokeInTransaction' | 'transactional'>;
  readonly events: SecurityEvents;
  /** Null when emails are off: nothing is queued. */
  readonly enqueue: EnqueueJob | null;
  /** HISTORY_RETENTION: the earlier logins a new one is compared with. */
  readonly historyRetentionSeconds: number;
}): NewDeviceAlerts {
  const { orm, logins, events, enqueue } = options;
  const historyMs = options.historyRetentionSeconds * 1000;

  async function usableLink(em: EntityManager, token: string, now: Date, lock: boolean): Promise<AlertLink | null> {
    if (!TOKEN_PATTERN.test(token)) return null;
    return em.findOne(
      AlertLink,
      { tokenHash: hashOf(token), usedAt: null, expiresAt: { $gt: now } },
      // The row is locked for the button's use, so two clicks revoke once and mark it used once.
      { populate: ['login'], ...(lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {}) },
    );
  }

  /**
   * The login that holds the link's device session now: the one it names or, once a login from the
   * same address and user agent replaced that one (REPLACED), the active login that did. A second
   * sign-in from the new device would otherwise leave the link with nothing to revoke, and its page
   * would say the sign-in can no longer use the account while its replacement does.
   */
  async function holderOf(em: EntityManager, login: UserLogin): Promise<UserLogin> {
    if (login.revokedReason !== RevokeReason.REPLACED) return login;
    const successor = await em.findOne(UserLogin, {
      user: login.user.id,
      ipAddress: login.ipAddress,
      userAgent: login.userAgent,
      revokedAt: null,
      createdAt: { $gte: login.createdAt },
      id: { $ne: login.id },
    });
    return successor ?? login;
  }

  return {
    enabled: enqueue !== null,

    // The same browser and OS names (versions ignored), or the very same user agent (which a login
    // recorded before browser and OS names were kept has): the same device. Names are compared only
    // when known: an empty User-Agent has none, and '' = '' would match every login recorded before
    // the names were kept (the migration left '' on them), so a login sending no User-Agent would
    // never be reported on an account with such a login.
    async queueIfNewInTransaction(tx, login, now) {
      if (enqueue === null) return false;
      const historySince = new Date(now.getTime() - historyMs);
      const [seen] = await tx.execute<Array<{ same_device: boolean; same_country: boolean }>>(
        `select
           exists (select 1 from user_logins where user_id = ? and id <> ? and created_at >= ?
                   and ((browser_name <> '' and browser_name = ? and os_name = ?) or user_agent = ?)) as same_device,
           exists (select 1 from user_logins where user_id = ? and id <> ? and created_at >= ? and location_country_code = ?) as same_country`,
        [
          login.user.id, login.id, historySince, login.browserName, login.osName, login.userAgent,
          login.user.id, login.id, historySince, login.location?.countryCode ?? null,
        ],
      );
      const newCountry = login.location !== null && !seen?.same_country;
      if (seen?.same_device && !newCountry) return false;
      await events.recordInTransaction(tx, [
        { userId: login.user.id, kind: SecurityEventKind.NEW_DEVICE_ALERT, at: now, source: login, loginId: login.id },
      ]);
      await enqueue(tx, NEW_DEVICE_ALERT_JOB, { loginId: login.id } satisfies NewDeviceAlertJob);
      return true;
    },

    async deliver({ loginId }, send, publicUrl, now) {
      const em = orm.em.fork();
      const login = await em.findOne(UserLogin, loginId, { populate: ['user'] });
      // Gone with its account, or pruned: nobody to tell.
      if (!login) return;
      const token = randomBytes(32).toString('base64url');
      await em.transactional(async (tx) => {
        // One link per login: a retried job's new link replaces the one an email that failed carried.
        await tx.nativeDelete(AlertLink, { login: loginId });
        await tx.persist(new AlertLink(hashOf(token), tx.getReference(UserLogin, loginId, { wrapped: true }), new Date(now.getTime() + ALERT_LINK_LIFETIME_MS))).flush();
      });
      const link = `${publicUrl}/security/not-me?token=${token}`;
      await send({ to: login.user.getEntity().email, device: login.device, ipAddress: login.ipAddress, location: login.location, at: login.createdAt, link });
    },

    async describe(token, now) {
      const em = orm.em.fork();
      const link = await usableLink(em, token, now, false);
      if (!link) return null;
      const login = link.login.getEntity();
      const holder = await holderOf(em, login);
      return { device: login.device, ipAddress: login.ipAddress, location: login.location, createdAt: login.createdAt, revoked: holder.revokedAt !== null };
    },

    logOut: (token, source, now) =>
      logins.transactional(async (tx): Promise<AlertLinkOutcome> => {
        const link = await usableLink(tx, token, now, true);
        if (!link) return 'invalid';
        link.usedAt = now;
        await tx.flush();
        const named = link.login.getEntity();
        // A login opening meanwhile waits: the login a REPLACED one leads to cannot change under us.
        await lockAccount(tx, named.user.id);
        const login = await holderOf(tx, named);
        const revoked = await logins.revokeInTransaction(tx, login.user.id, login.id, RevokeReason.NOT_ME, source, now);
        return revoked ? 'revoked' : 'already-revoked';
      }),
  };
}
