import type { WebhookConfig } from '../config';
import { formatMilliseconds } from '../limits';
import { signWebhook } from './signature';
import type { QueuedWebhook } from './webhook-message';

/** One attempt, from connecting to the response's status: a silent receiver fails it, and the queue retries later. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * Why an attempt failed: the receiver's status (any but 2xx, redirects included), a timeout, or a
 * network error's code. Neither the URL (it may carry a token), the secret nor the body is in it: it
 * is logged.
 */
export class WebhookDeliveryError extends Error {
  readonly status: number | undefined;
  readonly code: string | undefined;

  constructor(message: string, details: { status?: number; code?: string | undefined }) {
    super(message);
    this.name = 'WebhookDeliveryError';
    this.status = details.status;
    this.code = details.code;
  }
}

function codeOf(error: unknown): string | undefined {
  // fetch rejects with TypeError('fetch failed') whose cause is the socket's error (ECONNREFUSED, …).
  const cause = error instanceof Error ? error.cause : undefined;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function failureOf(error: unknown, deadline: AbortSignal, timeoutMs: number, cancel: AbortSignal | undefined): WebhookDeliveryError {
  if (deadline.aborted) return new WebhookDeliveryError(`webhook receiver did not answer within ${formatMilliseconds(timeoutMs)}`, { code: 'ETIMEDOUT' });
  if (cancel?.aborted) return new WebhookDeliveryError('webhook delivery cancelled: the job queue is stopping', { code: 'ECANCELED' });
  const code = codeOf(error);
  return new WebhookDeliveryError(`webhook delivery failed: ${code ?? 'network error'}`, { code });
}

/**
 * One attempt to POST the webhook, signed for now (`webhook-timestamp` is this attempt's, as
 * receivers check it against their clock). Resolves on a 2xx; throws a WebhookDeliveryError on
 * anything else, so the job is retried. Redirects are not followed: a receiver that moved is a
 * failure to fix in WEBHOOK_URL, not a reason to send signed events elsewhere.
 */
export async function deliverWebhook(
  target: WebhookConfig,
  webhook: QueuedWebhook,
  options: { readonly signal?: AbortSignal; readonly timeoutMs?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const timestamp = Math.floor(Date.now() / 1000);
  const deadline = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetch(target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': webhook.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(target.secret, webhook.id, timestamp, webhook.body),
      },
      body: webhook.body,
      redirect: 'manual',
      signal: options.signal ? AbortSignal.any([deadline, options.signal]) : deadline,
    });
  } catch (error) {
    throw failureOf(error, deadline, timeoutMs, options.signal);
  }
  // Only the status counts: the body is never read, so a slow one cannot hold the job.
  await response.body?.cancel().catch(() => {});
  if (response.status < 200 || response.status > 299) {
    throw new WebhookDeliveryError(`webhook receiver answered HTTP ${response.status}`, { status: response.status });
  }
}
