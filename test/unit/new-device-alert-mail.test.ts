import { describe, expect, it } from 'vitest';
import { newDeviceAlertMail, type NewDeviceAlert } from '../../src/mail/new-device-alert-mail';

const LINK = 'https://accounts.example.test/security/not-me?token=abc_DEF-123';

function alert(overrides: Partial<NewDeviceAlert> = {}): NewDeviceAlert {
  return {
    to: 'ann@example.test',
    device: 'Firefox 132 on Linux',
    ipAddress: '203.0.113.7',
    location: { city: 'Berlin', country: 'Germany', countryCode: 'DE' },
    at: new Date('2026-12-15T14:03:09.123Z'),
    link: LINK,
    ...overrides,
  };
}

describe('the new-sign-in email', () => {
  it('says who, where, when, and what to do, in text and HTML', () => {
    const mail = newDeviceAlertMail(alert());
    expect(mail.to).toBe('ann@example.test');
    expect(mail.subject).toBe('New sign-in to your account');
    for (const body of [mail.text, mail.html]) {
      expect(body).toContain('Firefox 132 on Linux');
      expect(body).toContain('203.0.113.7');
      expect(body).toContain('Berlin, Germany');
      expect(body).toContain('2026-12-15T14:03:09.123Z');
      expect(body).toContain('Tuesday, 15 December 2026 at 14:03 UTC');
      expect(body).toContain('If this was you, you can ignore this email.');
      expect(body).toContain(LINK);
    }
    expect(mail.text.split('\n')).toContain(LINK);
  });

  it('makes the link a button in the HTML', () => {
    const { html } = newDeviceAlertMail(alert());
    expect(html).toMatch(new RegExp(`<a href="${LINK.replace(/[.?]/g, '\\$&')}" style="[^"]*display:inline-block[^"]*">This wasn't me: log it out</a>`));
  });

  it('escapes every value in the HTML: a user agent or a location may hold markup', () => {
    const { html, text } = newDeviceAlertMail(
      alert({
        device: '<script>alert("ua")</script>',
        ipAddress: '"><img src=x onerror=alert(1)>',
        location: { city: '<b>Town</b>', country: `Land & "Quotes" 'too'`, countryCode: 'XX' },
        link: `${LINK}&x="><script>alert(2)</script>`,
      }),
    );
    expect(html).not.toMatch(/<script|<img|<b>/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;ua&quot;)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;b&gt;Town&lt;/b&gt;, Land &amp; &quot;Quotes&quot; &#39;too&#39;');
    expect(html).toContain(`href="${LINK}&amp;x=&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"`);
    // The text is plain text: shown as is.
    expect(text).toContain('<script>alert("ua")</script>');
  });

  it('keeps each value on its line: a newline in a value cannot start a line of its own', () => {
    const { text, html } = newDeviceAlertMail(alert({ device: 'Firefox\r\nLink: https://evil.example/\u2028x' }));
    expect(text.split('\n').some((line) => line.startsWith('Link:'))).toBe(false);
    expect(text).toContain('Firefox Link: https://evil.example/ x');
    expect(html).not.toMatch(/Firefox\s*\n/);
  });

  it('says "Germany" when only the country is known, and "Unknown location" without one', () => {
    expect(newDeviceAlertMail(alert({ location: { city: null, country: 'Germany', countryCode: 'DE' } })).text).toMatch(/Location:\s+Germany \(/);
    const unknown = newDeviceAlertMail(alert({ location: null }));
    expect(unknown.text).toContain('Unknown location');
    expect(unknown.html).toContain('Unknown location');
  });

  it('refuses a link that is no web address: never a javascript: button', () => {
    expect(() => newDeviceAlertMail(alert({ link: 'javascript:alert(1)' }))).toThrow(/http/);
    expect(() => newDeviceAlertMail(alert({ link: 'not a url' }))).toThrow();
  });
});
