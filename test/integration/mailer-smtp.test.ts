import { createServer, type Server, type Socket } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerEnvelope } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger';
import { createMailer, MailDeliveryError, SMTP_TIMEOUTS_MS, type Mailer } from '../../src/mail/mailer';
import { newDeviceAlertMail } from '../../src/mail/new-device-alert-mail';
import { closedPort } from '../helpers/closed-port';

const FROM = 'login-activity <no-reply@example.test>';
const LINK = 'https://accounts.example.test/security/not-me?token=Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5';
const logger = createLogger({ logLevel: 'silent', logFormat: 'json' });

interface Received {
  readonly envelope: SMTPServerEnvelope;
  readonly raw: Buffer;
}

/** A real SMTP server on a free port: no TLS (no STARTTLS offered), any sender, no login needed unless `auth` says. */
async function smtpServer(refuse?: 'login' | 'recipient') {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    ...(refuse === 'login' ? { allowInsecureAuth: true, onAuth: (_auth, _session, callback) => callback(new Error('Invalid username or password')) } : {}),
    ...(refuse === 'recipient'
      ? { onRcptTo: (_address, _session, callback) => callback(Object.assign(new Error('No such mailbox'), { responseCode: 550 })) }
      : {}),
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({ envelope: structuredClone(session.envelope), raw: Buffer.concat(chunks) });
        callback();
      });
    },
  });
  const port = await new Promise<number>((resolve) => {
    const listening = server.listen(0, '127.0.0.1', () => {
      const address = listening.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function alert() {
  return newDeviceAlertMail({
    to: 'ann@example.test',
    device: 'Firefox 132 on Linux',
    ipAddress: '203.0.113.7',
    location: { city: 'Berlin', country: 'Germany', countryCode: 'DE' },
    at: new Date('2026-12-15T14:03:09.000Z'),
    link: LINK,
  });
}

describe('createMailer({ kind: "smtp" }) against a real SMTP server', () => {
  let smtp: Awaited<ReturnType<typeof smtpServer>>;
  let mailer: Mailer;
  beforeAll(async () => {
    smtp = await smtpServer();
    mailer = createMailer({ kind: 'smtp', url: `smtp://127.0.0.1:${smtp.port}`, from: FROM }, logger)!;
  });
  afterAll(async () => {
    mailer?.close();
    await smtp?.close();
  });

  it('delivers the email from MAIL_FROM to the user, with the link in its text and HTML', async () => {
    await mailer.send(alert());

    expect(smtp.received).toHaveLength(1);
    const [{ envelope, raw }] = smtp.received as [Received];
    expect(envelope.mailFrom).toMatchObject({ address: 'no-reply@example.test' });
    expect(envelope.rcptTo.map((recipient) => recipient.address)).toEqual(['ann@example.test']);

    const mail = await simpleParser(raw);
    expect(mail.from?.value).toEqual([{ name: 'login-activity', address: 'no-reply@example.test' }]);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value.map((to) => to.address) : []).toEqual(['ann@example.test']);
    expect(mail.subject).toBe('New sign-in to your account');
    expect(mail.text).toContain(LINK);
    expect(mail.text).toContain('Berlin, Germany');
    expect(mail.text).toContain('If this was you, you can ignore this email.');
    expect(mail.html).toContain(`href="${LINK}"`);
    expect(mail.html).toContain('Firefox 132 on Linux');
  });
});

describe('a failed delivery rejects quickly, and its error holds no secret', () => {
  it('a closed port: send() rejects at once, with nodemailer’s code', async () => {
    const port = await closedPort();
    const mailer = createMailer({ kind: 'smtp', url: `smtp://127.0.0.1:${port}`, from: FROM }, logger)!;
    const startedAt = Date.now();
    const error = await mailer.send(alert()).catch((caught: unknown) => caught);
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(MailDeliveryError);
    expect(error).toMatchObject({ code: 'ESOCKET', permanent: false });
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    mailer.close();
  });

  it('a server that accepts the connection and never greets: send() rejects after the greeting timeout', { timeout: SMTP_TIMEOUTS_MS.greeting + 10_000 }, async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const mailer = createMailer({ kind: 'smtp', url: `smtp://127.0.0.1:${port}`, from: FROM }, logger)!;
    try {
      const startedAt = Date.now();
      const error = await mailer.send(alert()).catch((caught: unknown) => caught);
      const elapsed = Date.now() - startedAt;
      expect(error).toBeInstanceOf(MailDeliveryError);
      expect(error).toMatchObject({ code: 'ETIMEDOUT' });
      expect(elapsed).toBeGreaterThanOrEqual(SMTP_TIMEOUTS_MS.greeting - 100);
      expect(elapsed).toBeLessThan(SMTP_TIMEOUTS_MS.greeting + 3_000);
    } finally {
      mailer.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('a refused login: the error names EAUTH, never the password from SMTP_URL, and is retried', async () => {
    const smtp = await smtpServer('login');
    const password = 'hunter2-correct-horse';
    const mailer = createMailer({ kind: 'smtp', url: `smtp://mailer:${password}@127.0.0.1:${smtp.port}`, from: FROM }, logger)!;
    try {
      const error = await mailer.send(alert()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(MailDeliveryError);
      // A wrong SMTP_URL is fixed by its operator: the same message then goes through, so not permanent.
      expect(error).toMatchObject({ code: 'EAUTH', responseCode: 535, permanent: false });
      const everything = JSON.stringify({ ...(error as object), message: (error as Error).message, stack: (error as Error).stack });
      for (const secret of [password, Buffer.from(password).toString('base64'), Buffer.from(`\0mailer\0${password}`).toString('base64')]) {
        expect(everything).not.toContain(secret);
      }
      expect(smtp.received).toEqual([]);
    } finally {
      mailer.close();
      await smtp.close();
    }
  });

  it('a recipient the server refuses for good (550): permanent, so a task may give up on it', async () => {
    const smtp = await smtpServer('recipient');
    const mailer = createMailer({ kind: 'smtp', url: `smtp://127.0.0.1:${smtp.port}`, from: FROM }, logger)!;
    try {
      const error = await mailer.send(alert()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(MailDeliveryError);
      expect(error).toMatchObject({ code: 'EENVELOPE', responseCode: 550, permanent: true });
    } finally {
      mailer.close();
      await smtp.close();
    }
  });
});
