import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, expect } from 'vitest';
import { closedPort } from './closed-port';

/** One email the inbox accepted, as a mail client would read it. */
export interface ReceivedMail {
  /** The SMTP envelope: MAIL FROM and RCPT TO. */
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
  /** The addresses of the To header. */
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const addressesOf = (header: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(header) ? header : header ? [header] : []).flatMap((object) => object.value.map((entry) => entry.address ?? ''));

/**
 * A real SMTP server on 127.0.0.1 that keeps what it accepts: no TLS (no STARTTLS offered), no login
 * needed, any sender. It can be stopped and started again on the same port, so a server pointed at
 * it (`url`) finds SMTP down, then up. A new SMTPServer is made at each start; the mail is kept
 * across them.
 */
export class SmtpInbox {
  /** Every accepted email, in the order they were accepted. */
  readonly mail: ReceivedMail[] = [];
  private port: number | null = null;
  private server: SMTPServer | null = null;
  private gate: { readonly opened: Promise<void>; readonly open: () => void } | null = null;
  /** The sessions whose message waits at a hold(). */
  private readonly waiting = new Set<string>();
  /** The sessions whose sender closed the connection. */
  private readonly hungUp = new Set<string>();

  /** `smtp://127.0.0.1:<port>`, for SMTP_URL; the port is known once the inbox started or reserved one. */
  get url(): string {
    if (this.port === null) throw new Error('SmtpInbox: no port yet (start() or reservePort() first)');
    return `smtp://127.0.0.1:${this.port}`;
  }

  get listening(): boolean {
    return this.server !== null;
  }

  /** How many messages are waiting at a hold() (received, not yet answered). */
  get held(): number {
    return this.waiting.size;
  }

  /** How many of those have lost their sender, who closed the connection without the answer. */
  get heldAndHungUp(): number {
    return [...this.waiting].filter((id) => this.hungUp.has(id)).length;
  }

  /**
   * The environment of a test server that sends to this inbox. SMTP_URL is a getter: read when the
   * server starts (startTestServer spreads the object in its beforeAll), by then the inbox has its port.
   */
  env(extra: Record<string, string> = {}): Record<string, string> {
    const inbox = this;
    return {
      ...extra,
      get SMTP_URL() {
        return inbox.url;
      },
    };
  }

  /** Picks a free port without listening on it: until start(), a sender finds nobody there. */
  async reservePort(): Promise<void> {
    this.port ??= await closedPort();
  }

  /** Listens on its port (a free one the first time). */
  async start(): Promise<void> {
    if (this.server) return;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onClose: (session) => void this.hungUp.add(session.id),
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          void (async () => {
            const envelope = {
              from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
              to: session.envelope.rcptTo.map((recipient) => recipient.address),
            };
            const parsed = await simpleParser(Buffer.concat(chunks));
            if (this.gate) {
              this.waiting.add(session.id);
              await this.gate.opened;
              this.waiting.delete(session.id);
            }
            // Recorded as it is accepted: a message whose sender hung up first is no delivery.
            if (this.hungUp.has(session.id)) return callback(new Error('the sender hung up'));
            this.mail.push({
              envelope,
              to: addressesOf(parsed.to),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
            });
            callback();
          })().catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port ?? 0, '127.0.0.1', () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    const address = server.server.address();
    this.port = typeof address === 'object' && address ? address.port : null;
    this.server = server;
  }

  /** Stops listening; the port stays this inbox's for the next start(). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    const gate = this.gate;
    this.gate = null;
    gate?.open();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * Holds every message at the end of its DATA (received, not answered) until the returned function
   * is called: a sender waiting for the answer is still waiting.
   */
  hold(): () => void {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    const gate = { opened, open };
    this.gate = gate;
    return () => {
      if (this.gate === gate) this.gate = null;
      open();
    };
  }

  /** The emails whose envelope is for this address. */
  mailTo(address: string): ReceivedMail[] {
    return this.mail.filter((mail) => mail.envelope.to.includes(address));
  }

  /** Waits until at least `count` emails for this address have arrived; returns them all. */
  async waitForMail(address: string, count = 1, timeout = 10_000): Promise<ReceivedMail[]> {
    await expect.poll(() => this.mailTo(address).length, { timeout, interval: 20 }).toBeGreaterThanOrEqual(count);
    return this.mailTo(address);
  }
}

/**
 * An SMTP inbox for the calling file or describe: listening from its beforeAll (declare it before the
 * servers that send to it), or with `listening: false` only a port reserved, for the test to start().
 * Stopped after it.
 */
export function useSmtpInbox(options: { listening?: boolean } = {}): SmtpInbox {
  const inbox = new SmtpInbox();
  beforeAll(() => (options.listening === false ? inbox.reservePort() : inbox.start()));
  afterAll(() => inbox.stop());
  return inbox;
}
