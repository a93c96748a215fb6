import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger';
import { createMailer } from '../../src/mail/mailer';

const message = {
  to: 'ann@example.test',
  subject: 'New sign-in to your account',
  text: 'Someone signed in.\nhttps://localhost:4000/security/not-me?token=abc\n',
  html: '<p>Someone signed in.</p>',
};

describe('createMailer without SMTP', () => {
  it('kind "log" (development without SMTP_URL): one info line with the recipient, the subject and the text, link included', async () => {
    const lines: string[] = [];
    const logger = createLogger({ logLevel: 'info', logFormat: 'json' }, { write: (line: string) => void lines.push(line) });
    const mailer = createMailer({ kind: 'log', from: 'login-activity <no-reply@localhost>' }, logger);
    await mailer!.send(message);
    mailer!.close();

    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as { level: number; mail: Record<string, string> };
    expect(line.level).toBe(30);
    expect(line.mail).toMatchObject({ to: message.to, subject: message.subject, text: message.text });
    expect(line.mail['text']).toContain('https://localhost:4000/security/not-me?token=abc');
  });

  it('kind "off": no mailer at all', () => {
    const logger = createLogger({ logLevel: 'silent', logFormat: 'json' });
    expect(createMailer({ kind: 'off', reason: 'disabled' }, logger)).toBeNull();
    expect(createMailer({ kind: 'off', reason: 'no-smtp-in-production' }, logger)).toBeNull();
  });
});
