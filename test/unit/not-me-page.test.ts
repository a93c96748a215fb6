import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  alreadyRevokedPage,
  invalidLinkPage,
  loggedOutPage,
  NOT_ME_PAGE_HEADERS,
  notMePage,
  type NotMeView,
} from '../../src/http/not-me-page';

const view: NotMeView = {
  device: 'Chrome 131 on Android',
  ipAddress: '198.51.100.23',
  location: { city: 'Lyon', country: 'France', countryCode: 'FR' },
  createdAt: new Date('2026-12-15T08:30:00.000Z'),
  token: 'tok_en-123',
};

const allPages = () => [notMePage(view), loggedOutPage(), alreadyRevokedPage(), invalidLinkPage()];

describe('the "this wasn\'t me" page', () => {
  it('shows the sign-in and a form that posts its token back here, with a "Log it out" button', () => {
    const html = notMePage(view);
    for (const value of ['Chrome 131 on Android', '198.51.100.23', 'Lyon, France', 'Tuesday, 15 December 2026 at 08:30 UTC']) expect(html).toContain(value);
    expect(html).toContain('<form method="post" action="/security/not-me">');
    expect(html).toContain('<input type="hidden" name="token" value="tok_en-123">');
    expect(html).toMatch(/<button type="submit">Log it out<\/button>\s*<\/form>/);
  });

  it('escapes every value, the token in its attribute too', () => {
    const html = notMePage({
      ...view,
      device: '<script>alert(1)</script>',
      ipAddress: '<img src=x onerror=alert(2)>',
      location: { city: '"><svg onload=alert(3)>', country: 'A & B', countryCode: 'XX' },
      token: '"><script>alert(4)</script>',
    });
    expect(html).not.toMatch(/<script|<img|<svg/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;svg onload=alert(3)&gt;, A &amp; B');
    expect(html).toContain('name="token" value="&quot;&gt;&lt;script&gt;alert(4)&lt;/script&gt;"');
  });

  it('says "Unknown location" without a location', () => {
    expect(notMePage({ ...view, location: null })).toContain('Unknown location');
  });

  it('after the button: logged out, and change your password now', () => {
    const html = loggedOutPage();
    expect(html).toContain('That sign-in has been logged out.');
    expect(html).toContain('Change your password now');
  });

  it('already revoked, and an invalid, used or expired link, each have a page of their own, without the form', () => {
    expect(alreadyRevokedPage()).toContain('already logged out');
    expect(alreadyRevokedPage()).toContain('change your password now');
    expect(invalidLinkPage()).toContain('This link no longer works');
    for (const html of [loggedOutPage(), alreadyRevokedPage(), invalidLinkPage()]) expect(html).not.toContain('<form');
  });

  it('no page has a script, an external asset or an inline style attribute; each is a whole document', () => {
    for (const html of allPages()) {
      expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
      expect(html).not.toMatch(/<script|javascript:|<link|<img|src=|href=|@import|url\(/i);
      expect(html).not.toMatch(/\sstyle="/);
      expect(html).not.toMatch(/\son[a-z]+=/i);
    }
  });

  it("sends headers that allow no script, only its own stylesheet (by hash), forms only to itself, no framing, no referrer, no cache", () => {
    const csp = NOT_ME_PAGE_HEADERS['content-security-policy']!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    const stylesheet = /<style>([\s\S]*?)<\/style>/.exec(notMePage(view))?.[1] ?? '';
    expect(csp).toContain(`style-src 'sha256-${createHash('sha256').update(stylesheet).digest('base64')}'`);
    for (const html of allPages()) expect(/<style>([\s\S]*?)<\/style>/.exec(html)?.[1]).toBe(stylesheet);
    expect(NOT_ME_PAGE_HEADERS).toMatchObject({
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
  });
});
