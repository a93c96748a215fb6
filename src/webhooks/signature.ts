import { createHmac } from 'node:crypto';

/**
 * The Standard Webhooks signature (https://www.standardwebhooks.com): HMAC-SHA256 of
 * `${id}.${timestamp}.${body}` with the secret's bytes (WEBHOOK_SECRET after `whsec_`, base64-decoded),
 * in base64, versioned `v1,`. `timestamp` is the `webhook-timestamp` header: whole seconds since 1970.
 */
export function signWebhook(secret: Buffer, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`, 'utf8').digest('base64')}`;
}
