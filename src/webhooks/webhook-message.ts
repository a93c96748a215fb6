import type { Location } from '../entities/location';
import type { RevokeReason } from '../entities/revoke-reason';
import { SecurityEventKind, type SecurityNotice } from '../entities/security-event.entity';

/** The job that POSTs one webhook. */
export const WEBHOOK_JOB = 'webhook';

/**
 * The `type` of each kind of security event, and of an account's deletion (which leaves no event
 * row). `login.new_device` is ours, beside the contract's: a new-sign-in email was queued.
 */
export const WEBHOOK_TYPES = {
  [SecurityEventKind.LOGIN]: 'login.created',
  [SecurityEventKind.LOGIN_FAILED]: 'login.failed',
  [SecurityEventKind.LOGIN_THROTTLED]: 'login.throttled',
  [SecurityEventKind.LOGIN_REVOKED]: 'login.revoked',
  [SecurityEventKind.PASSWORD_CHANGED]: 'password.changed',
  [SecurityEventKind.NEW_DEVICE_ALERT]: 'login.new_device',
  ACCOUNT_DELETED: 'account.deleted',
} as const satisfies Record<SecurityEventKind | 'ACCOUNT_DELETED', string>;

export type WebhookType = (typeof WEBHOOK_TYPES)[keyof typeof WEBHOOK_TYPES];

/** What a webhook is about: a security event as recorded (or an account's deletion), with its id. */
export type WebhookSubject = SecurityNotice;

export interface WebhookData {
  readonly userId: string;
  readonly eventId: string;
  readonly ipAddress: string;
  readonly userAgent: string;
  readonly device: string;
  readonly location: { readonly city: string | null; readonly country: string; readonly countryCode: string } | null;
  readonly loginId?: string;
  readonly revokedReason?: RevokeReason;
}

/** The body POSTed, as the contract has it. */
export interface WebhookMessage {
  readonly type: WebhookType;
  /** When the event happened (ISO 8601); the `webhook-timestamp` header is the attempt's. */
  readonly timestamp: string;
  readonly data: WebhookData;
}

/**
 * One webhook job's payload: built whole when the event is recorded, so every attempt sends the
 * same body under the same `webhook-id` (receivers deduplicate by it).
 */
export type WebhookJob = {
  readonly id: string;
  readonly message: WebhookMessage;
};

const locationOf = (location: Location | null): WebhookData['location'] =>
  location === null ? null : { city: location.city, country: location.country, countryCode: location.countryCode };

export function webhookJobOf(subject: WebhookSubject): WebhookJob {
  const { ipAddress, userAgent, device, location } = subject.source;
  return {
    // The event's id is unique and fixed: the message's id follows from it.
    id: `msg_${subject.id}`,
    message: {
      type: WEBHOOK_TYPES[subject.kind],
      timestamp: subject.at.toISOString(),
      data: {
        userId: subject.userId,
        eventId: subject.id,
        ipAddress,
        userAgent,
        device,
        location: locationOf(location),
        ...(subject.loginId ? { loginId: subject.loginId } : {}),
        ...(subject.revokedReason ? { revokedReason: subject.revokedReason } : {}),
      },
    },
  };
}

/** The parts of a job the delivery needs: its id and the body to send, as enqueued. */
export interface QueuedWebhook {
  readonly id: string;
  readonly body: string;
}

/** A job's payload as the queue hands it back (it could be from another version: checked, not trusted). */
export function parseWebhookJob(payload: unknown): QueuedWebhook {
  const { id, message } = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
  if (typeof id !== 'string' || !/^msg_[A-Za-z0-9_-]{1,200}$/.test(id)) throw new Error('a webhook job without a message id');
  if (typeof message !== 'object' || message === null || typeof (message as Record<string, unknown>)['type'] !== 'string') {
    throw new Error('a webhook job without a message');
  }
  // Parsed from the JSON it was stored as, and written again the same way: the same bytes each attempt.
  return { id, body: JSON.stringify(message) };
}
