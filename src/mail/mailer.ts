import { createTransport } from 'nodemailer';
import type { MailConfig } from '../config';
import { formatMilliseconds } from '../limits';
import type { Logger } from '../logger';

/** One email to one recipient, with a plain-text and an HTML body. */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface SendOptions {
  /** Cancels the send (a job queue shutting down, say); the send then rejects. */
  readonly signal?: AbortSignal;
}

export interface Mailer {
  /** Resolves once the SMTP server accepted the message; rejects (with a MailDeliveryError) otherwise. */
  send(message: MailMessage, options?: SendOptions): Promise<void>;
  close(): void;
}

/**
 * Bounds on one SMTP delivery, so a silent or stalled server fails the attempt in seconds and the job
 * queue retries it later, instead of a job hanging for nodemailer's defaults (2 min to connect, 30 s
 * for the greeting, 10 min of socket silence). `send` caps the whole delivery, which the others do
 * not: a server that answers one byte at a time never lets the socket go silent.
 */
export const SMTP_TIMEOUTS_MS = { connection: 10_000, greeting: 10_000, socket: 30_000, send: 60_000 } as const;

/**
 * Why a delivery failed: nodemailer's code (ESOCKET, ECONNECTION, ETIMEDOUT, EAUTH, EENVELOPE, …)
 * and the server's reply code. `permanent`: the server refused this message for good (a 5xx reply to
 * its sender, recipient or content), so retrying it is pointless; a refused login is never
 * permanent, since fixing SMTP_URL lets the same message through. Built afresh from nodemailer's
 * error, which carries the SMTP transcript's command and reply: this one is logged.
 */
export class MailDeliveryError extends Error {
  readonly code: string | undefined;
  readonly responseCode: number | undefined;
  readonly permanent: boolean;

  constructor(message: string, details: { code?: string | undefined; responseCode?: number | undefined; permanent?: boolean }) {
    super(message);
    this.name = 'MailDeliveryError';
    this.code = details.code;
    this.responseCode = details.responseCode;
    this.permanent = details.permanent ?? false;
  }
}

interface NodemailerFailure {
  message?: unknown;
  code?: unknown;
  responseCode?: unknown;
  permanent?: unknown;
}

function deliveryError(error: unknown, deadline: AbortSignal): MailDeliveryError {
  if (deadline.aborted) {
    return new MailDeliveryError(`SMTP delivery took longer than ${formatMilliseconds(SMTP_TIMEOUTS_MS.send)}`, { code: 'ETIMEDOUT' });
  }
  const failure: NodemailerFailure = typeof error === 'object' && error !== null ? error : {};
  const message = typeof failure.message === 'string' && failure.message !== '' ? failure.message : 'unknown error';
  const code = typeof failure.code === 'string' ? failure.code : undefined;
  return new MailDeliveryError(`SMTP delivery failed: ${message}`, {
    code,
    responseCode: typeof failure.responseCode === 'number' ? failure.responseCode : undefined,
    permanent: failure.permanent === true && code !== 'EAUTH' && code !== 'ENOAUTH',
  });
}

/**
 * Through the SMTP server of `SMTP_URL`, a new connection per message (alerts are rare; a pool would
 * hold idle connections that servers drop anyway). STARTTLS is used when the server offers it; the
 * URL's query may set any nodemailer option (`?requireTLS=true`). The URL, which may hold a password,
 * never reaches a log or an error.
 */
function smtpMailer(config: Extract<MailConfig, { kind: 'smtp' }>): Mailer {
  const transport = createTransport(
    {
      url: config.url,
      connectionTimeout: SMTP_TIMEOUTS_MS.connection,
      greetingTimeout: SMTP_TIMEOUTS_MS.greeting,
      socketTimeout: SMTP_TIMEOUTS_MS.socket,
      // The messages are built here and hold no file paths or URLs to fetch; one recipient each.
      disableFileAccess: true,
      disableUrlAccess: true,
      maxRecipients: 1,
    },
    { from: config.from },
  );
  return {
    async send(message, options = {}) {
      const deadline = AbortSignal.timeout(SMTP_TIMEOUTS_MS.send);
      try {
        await transport.sendMail({
          // An address object is not parsed: an address with a comma in it stays one recipient.
          to: { name: '', address: message.to },
          subject: message.subject,
          text: message.text,
          html: message.html,
          signal: options.signal ? AbortSignal.any([deadline, options.signal]) : deadline,
        });
      } catch (error) {
        throw deliveryError(error, deadline);
      }
    },
    close: () => transport.close(),
  };
}

/** Development without SMTP_URL: the email goes to the log, where its link can be clicked. */
function logMailer(config: Extract<MailConfig, { kind: 'log' }>, logger: Logger): Mailer {
  return {
    async send(message) {
      logger.info(
        { mail: { from: config.from, to: message.to, subject: message.subject, text: message.text } },
        'email not sent (no SMTP_URL): here it is instead',
      );
    },
    close() {},
  };
}

/** The mailer `Config.mail` asks for; null when emails are off. */
export function createMailer(config: MailConfig, logger: Logger): Mailer | null {
  switch (config.kind) {
    case 'smtp':
      return smtpMailer(config);
    case 'log':
      return logMailer(config, logger);
    case 'off':
      return null;
  }
}
