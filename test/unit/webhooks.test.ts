import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import { Location } from '../../src/entities/location';
import { RevokeReason } from '../../src/entities/revoke-reason';
import { SecurityEventKind } from '../../src/entities/security-event.entity';
import { signWebhook } from '../../src/webhooks/signature';
import { parseWebhookJob, webhookJobOf, type WebhookSubject } from '../../src/webhooks/webhook-message';

/** The test vector of the Standard Webhooks specification (and of its libraries' own tests). */
const SPEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const keyOf = (secret: string) => Buffer.from(secret.slice('whsec_'.length), 'base64');
const headersOf = (id: string, timestamp: number, signature: string) => ({
  'webhook-id': id,
  'webhook-timestamp': String(timestamp),
  'webhook-signature': signature,
});

afterEach(() => {
  vi.useRealTimers();
});

describe('signWebhook (Standard Webhooks)', () => {
  it('gives the specification’s signature for its test vector', () => {
    expect(signWebhook(keyOf(SPEC.secret), SPEC.id, SPEC.timestamp, SPEC.body)).toBe(SPEC.signature);
  });

  it('signs what standardwebhooks verifies, and nothing else', () => {
    // The library refuses a timestamp more than 5 minutes from its clock: the vector's own time.
    vi.useFakeTimers({ now: SPEC.timestamp * 1000, toFake: ['Date'] });
    expect(new Webhook(SPEC.secret).verify(SPEC.body, headersOf(SPEC.id, SPEC.timestamp, signWebhook(keyOf(SPEC.secret), SPEC.id, SPEC.timestamp, SPEC.body)))).toEqual({
      test: 2432232314,
    });
    vi.useRealTimers();

    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const now = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ type: 'login.created', timestamp: new Date().toISOString(), data: { userId: 'ü' } });
    const signature = signWebhook(keyOf(secret), 'msg_1', now, body);
    expect(new Webhook(secret).verify(body, headersOf('msg_1', now, signature))).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(`${body} `, headersOf('msg_1', now, signature))).toThrow(/No matching signature/);
    expect(() => new Webhook(secret).verify(body, headersOf('msg_2', now, signature))).toThrow(/No matching signature/);
    expect(() => new Webhook(SPEC.secret).verify(body, headersOf('msg_1', now, signature))).toThrow(/No matching signature/);
  });
});

describe('WEBHOOK_URL and WEBHOOK_SECRET', () => {
  const load = (env: Record<string, string>) => loadConfig(env, '/srv/app');
  const problemsOf = (env: Record<string, string>): string[] => {
    try {
      load(env);
    } catch (error) {
      if (error instanceof ConfigError) return [...error.problems];
      throw error;
    }
    return [];
  };
  const secret = `whsec_${Buffer.alloc(24, 1).toString('base64')}`;

  it('are read together, the secret as its bytes; neither: no webhooks', () => {
    expect(load({}).webhooks).toBeNull();
    const config = load({ WEBHOOK_URL: 'https://hooks.example.com/in?token=abc', WEBHOOK_SECRET: secret });
    expect(config.webhooks?.url).toBe('https://hooks.example.com/in?token=abc');
    expect(config.webhooks?.secret.equals(Buffer.alloc(24, 1))).toBe(true);
    expect(load({ WEBHOOK_URL: 'http://127.0.0.1:9/', WEBHOOK_SECRET: SPEC.secret }).webhooks?.secret.length).toBe(24);
  });

  it('refuse one without the other', () => {
    expect(problemsOf({ WEBHOOK_URL: 'https://hooks.example.com/in' })).toEqual(['WEBHOOK_SECRET is required with WEBHOOK_URL']);
    expect(problemsOf({ WEBHOOK_SECRET: secret })).toEqual(['WEBHOOK_URL is required with WEBHOOK_SECRET']);
  });

  it('refuse a secret that is not whsec_ and the base64 of 24 to 64 bytes, never quoting it', () => {
    const bad = [
      Buffer.alloc(32, 2).toString('base64'),
      'whsec_not base64!!',
      `whsec_${Buffer.alloc(32, 3).toString('base64url')}_`,
      `whsec_${Buffer.alloc(16, 4).toString('base64')}`,
      `whsec_${Buffer.alloc(65, 5).toString('base64')}`,
    ];
    for (const value of bad) {
      const problems = problemsOf({ WEBHOOK_URL: 'https://hooks.example.com/in', WEBHOOK_SECRET: value });
      expect(problems, value).toHaveLength(1);
      expect(problems[0]).toMatch(/^WEBHOOK_SECRET must be whsec_ followed by the base64 of 24 to 64 random bytes/);
      expect(problems[0]).not.toContain(value.slice(6, 20));
    }
    expect(problemsOf({ WEBHOOK_URL: 'https://hooks.example.com/in', WEBHOOK_SECRET: `whsec_${Buffer.alloc(16, 4).toString('base64')}` })[0]).toMatch(/got 16 bytes$/);
    expect(problemsOf({ WEBHOOK_URL: 'https://hooks.example.com/in', WEBHOOK_SECRET: `whsec_${Buffer.alloc(64, 4).toString('base64')}` })).toEqual([]);
  });

  it('refuse a URL that is not http or https, without quoting it (it may carry a token)', () => {
    const problems = problemsOf({ WEBHOOK_URL: 'ftp://hooks.example.com/in?token=hush', WEBHOOK_SECRET: secret });
    expect(problems).toEqual(['WEBHOOK_URL must start with http:// or https://, got "ftp://"']);
    expect(problemsOf({ WEBHOOK_URL: 'not a url hush', WEBHOOK_SECRET: secret })).toEqual([
      'WEBHOOK_URL must be a URL such as https://hooks.example.com/login-activity',
    ]);
  });
});

describe('webhook messages', () => {
  const subject = (kind: WebhookSubject['kind'], extra: Partial<WebhookSubject> = {}): WebhookSubject => ({
    id: '0190f5d2-7c1e-7000-8000-000000000001',
    userId: '0190f5d2-7c1e-7000-8000-0000000000aa',
    kind,
    at: new Date('2026-12-02T10:00:00.123Z'),
    source: { ipAddress: '192.0.2.7', userAgent: 'curl/8.5.0', device: 'curl 8.5.0', location: new Location('Berlin', 'Germany', 'DE') },
    loginId: null,
    revokedReason: null,
    ...extra,
  });

  it('carry the contract’s type, the event’s time and id, and loginId or revokedReason only where they apply', () => {
    const loginId = '0190f5d2-7c1e-7000-8000-0000000000bb';
    expect(webhookJobOf(subject(SecurityEventKind.LOGIN_REVOKED, { loginId, revokedReason: RevokeReason.LOGOUT }))).toEqual({
      id: 'msg_0190f5d2-7c1e-7000-8000-000000000001',
      message: {
        type: 'login.revoked',
        timestamp: '2026-12-02T10:00:00.123Z',
        data: {
          userId: '0190f5d2-7c1e-7000-8000-0000000000aa',
          eventId: '0190f5d2-7c1e-7000-8000-000000000001',
          ipAddress: '192.0.2.7',
          userAgent: 'curl/8.5.0',
          device: 'curl 8.5.0',
          location: { city: 'Berlin', country: 'Germany', countryCode: 'DE' },
          loginId,
          revokedReason: 'LOGOUT',
        },
      },
    });
    const types = [
      [SecurityEventKind.LOGIN, 'login.created'],
      [SecurityEventKind.LOGIN_FAILED, 'login.failed'],
      [SecurityEventKind.LOGIN_THROTTLED, 'login.throttled'],
      [SecurityEventKind.LOGIN_REVOKED, 'login.revoked'],
      [SecurityEventKind.PASSWORD_CHANGED, 'password.changed'],
      [SecurityEventKind.NEW_DEVICE_ALERT, 'login.new_device'],
      ['ACCOUNT_DELETED', 'account.deleted'],
    ] as const;
    for (const [kind, type] of types) expect(webhookJobOf(subject(kind)).message.type).toBe(type);
    expect(Object.keys(webhookJobOf(subject('ACCOUNT_DELETED', { source: { ...subject('ACCOUNT_DELETED').source, location: null } })).message.data)).toEqual([
      'userId',
      'eventId',
      'ipAddress',
      'userAgent',
      'device',
      'location',
    ]);
  });

  it('come back from the queue as the same id and the same bytes, and a payload of another shape is refused', () => {
    const job = webhookJobOf(subject(SecurityEventKind.LOGIN, { loginId: '0190f5d2-7c1e-7000-8000-0000000000bb' }));
    // As graphile-worker stores (json) and hands it back (JSON.parse).
    const queued = parseWebhookJob(JSON.parse(JSON.stringify(job)));
    expect(queued).toEqual({ id: job.id, body: JSON.stringify(job.message) });
    for (const payload of [null, 'msg_1', {}, { id: 'msg_1' }, { id: 'nope', message: job.message }, { id: job.id, message: { data: {} } }]) {
      expect(() => parseWebhookJob(payload)).toThrow(/a webhook job without/);
    }
  });
});
