import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ClientInfo } from '../../src/auth/client-info';
import { clientAddressFrom } from '../../src/http/client-address';
import { httpErrorHandler } from '../../src/http/http-errors';
import type { AlertLinkOutcome, AlertLinkView } from '../../src/auth/new-device-alerts';
import { notMeRoutes, type AlertLinkPages } from '../../src/http/not-me-routes';
import { createLogger } from '../../src/logger';

const LOGIN: AlertLinkView = {
  device: 'Safari 18 on iOS',
  ipAddress: '192.0.2.44',
  location: { city: 'Porto', country: 'Portugal', countryCode: 'PT' },
  createdAt: new Date('2026-12-15T10:00:00.000Z'),
  revoked: false,
};

/** The alert links as src/auth would keep them: one usable token, one whose login is already revoked. */
class FakeLinks implements AlertLinkPages {
  readonly described: string[] = [];
  readonly loggedOut: Array<{ token: string; source: ClientInfo }> = [];
  outcome: AlertLinkOutcome = 'revoked';

  async describe(token: string) {
    this.described.push(token);
    if (token === 'good-token') return LOGIN;
    if (token === 'revoked-token') return { ...LOGIN, revoked: true };
    return null;
  }

  async logOut(token: string, source: ClientInfo) {
    this.loggedOut.push({ token, source });
    return this.outcome;
  }
}

let links: FakeLinks;
let server: http.Server;
let base: string;

beforeAll(async () => {
  links = new FakeLinks();
  const app = express();
  app.use(notMeRoutes(links, clientAddressFrom(0), () => null));
  app.use(httpErrorHandler(createLogger({ logLevel: 'silent', logFormat: 'json' })));
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  links.described.length = 0;
  links.loggedOut.length = 0;
  links.outcome = 'revoked';
});

function expectPageHeaders(response: Response) {
  expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
}

function post(body: string, headers: Record<string, string> = {}) {
  return fetch(`${base}/security/not-me`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Mozilla/5.0 (test)', ...headers },
    body,
  });
}

describe('GET /security/not-me: shows, never revokes', () => {
  it('a usable link: 200, the sign-in and the form', async () => {
    const response = await fetch(`${base}/security/not-me?token=good-token`);
    expect(response.status).toBe(200);
    expectPageHeaders(response);
    const html = await response.text();
    expect(html).toContain('Safari 18 on iOS');
    expect(html).toContain('<input type="hidden" name="token" value="good-token">');
    expect(links.described).toEqual(['good-token']);
    expect(links.loggedOut).toEqual([]);
  });

  it('HEAD (a link scanner) changes nothing either', async () => {
    const response = await fetch(`${base}/security/not-me?token=good-token`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(links.loggedOut).toEqual([]);
  });

  it('a link whose login was already revoked: 200, says so, no button', async () => {
    const response = await fetch(`${base}/security/not-me?token=revoked-token`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('already logged out');
    expect(html).not.toContain('<form');
  });

  it('an unknown, used or expired link, or none: 404, the invalid-link page', async () => {
    for (const query of ['?token=unknown', '', '?token=', '?token=a&token=b', `?token=${'x'.repeat(300)}`]) {
      const response = await fetch(`${base}/security/not-me${query}`);
      expect(response.status).toBe(404);
      expectPageHeaders(response);
      expect(await response.text()).toContain('This link no longer works');
    }
    // Only the one well-formed token was looked up.
    expect(links.described).toEqual(['unknown']);
    expect(links.loggedOut).toEqual([]);
  });
});

describe('POST /security/not-me: the button', () => {
  it('revokes through logOut with the token and the request that pressed it: 200, change your password', async () => {
    const response = await post('token=good-token');
    expect(response.status).toBe(200);
    expectPageHeaders(response);
    expect(await response.text()).toContain('That sign-in has been logged out. Change your password now');
    expect(links.loggedOut).toHaveLength(1);
    expect(links.loggedOut[0]).toMatchObject({ token: 'good-token', source: { ipAddress: '127.0.0.1', userAgent: 'Mozilla/5.0 (test)' } });
  });

  it('a login already revoked: 200, the already-revoked page', async () => {
    links.outcome = 'already-revoked';
    const response = await post('token=good-token');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('already logged out');
  });

  it('a link that no longer works: 410', async () => {
    links.outcome = 'invalid';
    const response = await post('token=used-token');
    expect(response.status).toBe(410);
    expect(await response.text()).toContain('This link no longer works');
  });

  it('a form without a token, or not a form: 400, nothing looked up', async () => {
    for (const response of [await post('other=1'), await post('{"token":"good-token"}', { 'content-type': 'application/json' })]) {
      expect(response.status).toBe(400);
      expectPageHeaders(response);
    }
    expect(links.loggedOut).toEqual([]);
  });

  it('a body over the limit: 413, as a page', async () => {
    const response = await post(`token=good-token&padding=${'x'.repeat(2048)}`);
    expect(response.status).toBe(413);
    expectPageHeaders(response);
    expect(links.loggedOut).toEqual([]);
  });
});
