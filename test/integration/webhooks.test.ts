import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/app';
import { deliverWebhook, WebhookDeliveryError } from '../../src/webhooks/delivery';
import { closedPort } from '../helpers/closed-port';
import { CHROME_MAC, FIREFOX_LINUX, SAFARI_IPHONE } from '../helpers/fixture';
import { GraphQLClient } from '../helpers/graphql-client';
import { LOGIN, LOGOUT_ALL, LOGOUT_DEVICE, PASSWORD, logInUser, registerUser, uniqueEmail } from '../helpers/operations';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { startTestServer } from '../helpers/test-server';

/**
 * Webhooks (Standard Webhooks), end to end: the server's security events, driven over GraphQL as a
 * client does, reach a real receiver that verifies each request with the `standardwebhooks` package.
 * The receiver first holds its requests (the GraphQL answers must not wait for it), then refuses
 * them with 503 (the jobs are retried with backoff, under the same webhook-id), then accepts.
 */

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const NEW_PASSWORD = 'another good password';
const CHANGE_PASSWORD = `mutation ($input: ChangePasswordInput!) { changePassword(input: $input) }`;
const DELETE_ACCOUNT = `mutation ($password: String!) { deleteAccount(password: $password) }`;
const EVENTS = `query { mySecurityEvents(first: 100) { edges { node { id kind at ipAddress userAgent device revokedReason login { id } } } } }`;

interface EventNode {
  id: string;
  kind: string;
  at: string;
  ipAddress: string;
  userAgent: string;
  device: string;
  revokedReason: string | null;
  login: { id: string } | null;
}

interface Attempt {
  readonly receivedAt: number;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** What standardwebhooks' verify returned, or why it threw. */
  readonly verified: { ok: true; payload: unknown } | { ok: false; error: string };
  status?: number;
  answeredAt?: number;
}

interface Message {
  type: string;
  timestamp: string;
  data: Record<string, unknown> & { eventId: string; userId: string };
}

type Mode = 'hold' | 'refuse' | 'accept';

/** A webhook receiver on a port of its own, as an integrator would write it with standardwebhooks. */
class Receiver {
  readonly attempts: Attempt[] = [];
  mode: Mode = 'hold';
  private readonly held: Array<{ attempt: Attempt; response: http.ServerResponse }> = [];
  private readonly server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
      let verified: Attempt['verified'];
      try {
        verified = { ok: true, payload: new Webhook(SECRET).verify(body, headers) };
      } catch (error) {
        verified = { ok: false, error: String(error) };
      }
      const attempt: Attempt = { receivedAt: Date.now(), path: request.url ?? '', headers, body, verified };
      this.attempts.push(attempt);
      if (this.mode === 'hold') this.held.push({ attempt, response });
      else this.answer(attempt, response, this.mode === 'accept' ? 200 : 503);
    });
  });

  private answer(attempt: Attempt, response: http.ServerResponse, status: number) {
    attempt.status = status;
    attempt.answeredAt = Date.now();
    response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'down');
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/hooks/login-activity?token=receiver-token`;
  }

  /** From now on, every request (the held ones too) gets this answer. */
  set(mode: Exclude<Mode, 'hold'>) {
    this.mode = mode;
    for (const { attempt, response } of this.held.splice(0)) if (!response.writableEnded && !response.destroyed) this.answer(attempt, response, 503);
  }

  get heldCount(): number {
    return this.held.length;
  }

  messageOf(attempt: Attempt): Message {
    return JSON.parse(attempt.body) as Message;
  }

  attemptsOf(eventId: string): Attempt[] {
    return this.attempts.filter((attempt) => this.messageOf(attempt).data.eventId === eventId);
  }

  async stop() {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** Polls until `condition` holds (the receiver's requests are the positive signal). */
async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const TYPE_OF_KIND: Record<string, string> = {
  LOGIN: 'login.created',
  LOGIN_FAILED: 'login.failed',
  LOGIN_THROTTLED: 'login.throttled',
  LOGIN_REVOKED: 'login.revoked',
  PASSWORD_CHANGED: 'password.changed',
  NEW_DEVICE_ALERT: 'login.new_device',
};

const receiver = new Receiver();
let db: TestDatabase;
let server: RunningServer;
let api: GraphQLClient;

beforeAll(async () => {
  const url = await receiver.start();
  db = await createTestDatabase();
  // Emails on (development's log mailer, silent here): NEW_DEVICE_ALERT events are recorded too.
  server = await startTestServer(db.url, { WEBHOOK_URL: url, WEBHOOK_SECRET: SECRET, RATE_LIMIT_LOGIN_FAILURES_PER_EMAIL_IP: '2' });
  api = new GraphQLClient(server.url);
});
afterAll(async () => {
  await server?.stop();
  await receiver.stop();
  await db?.drop();
});

describe('webhooks', () => {
  it('sends every security event and the deletion, signed, retried under the same webhook-id, without holding up a request', async () => {
    const email = uniqueEmail('hooks');
    const onDevice = (agent: string) => api.withHeaders({ 'user-agent': agent });
    const a = await registerUser(onDevice(FIREFOX_LINUX), email);
    // The receiver now holds the registration's webhook, unanswered, while every request below is made.
    await until(() => receiver.heldCount > 0, 'the receiver holds the first webhook');
    const asA = onDevice(FIREFOX_LINUX).withToken(a.token);

    const b = await logInUser(onDevice(CHROME_MAC), email);
    await asA.ok(LOGOUT_DEVICE, { variables: { loginId: b.login.id } });
    await logInUser(onDevice(CHROME_MAC), email);
    await asA.ok(LOGOUT_ALL, { variables: { keepCurrent: true } });
    await asA.ok(CHANGE_PASSWORD, { variables: { input: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, logoutOtherDevices: false } } });
    // From another address (its own limit of 2): two wrong passwords, then two refused by the limit,
    // of which only the first is recorded (once a minute per address), so only it is sent.
    const guesser = onDevice(SAFARI_IPHONE).fromIp('127.0.0.2');
    const guesses = [];
    for (let attempt = 0; attempt < 4; attempt++) guesses.push(await guesser.request(LOGIN, { variables: { input: { email, password: 'wrong password!' } } }));
    expect(guesses.map((response) => response.status)).toEqual([200, 200, 429, 429]);
    const log = (await asA.ok<{ mySecurityEvents: { edges: Array<{ node: EventNode }> } }>(EVENTS)).mySecurityEvents.edges.map((edge) => edge.node);
    expect(await asA.ok(DELETE_ACCOUNT, { variables: { password: NEW_PASSWORD } })).toEqual({ deleteAccount: true });

    // Every answer above came back while the receiver had answered nothing.
    expect(receiver.heldCount).toBeGreaterThan(0);
    expect(receiver.attempts.every((attempt) => attempt.status === undefined)).toBe(true);
    expect(log.map((event) => event.kind).sort()).toEqual(
      ['LOGIN', 'LOGIN', 'LOGIN', 'NEW_DEVICE_ALERT', 'LOGIN_REVOKED', 'LOGIN_REVOKED', 'PASSWORD_CHANGED', 'LOGIN_FAILED', 'LOGIN_FAILED', 'LOGIN_THROTTLED'].sort(),
    );

    // Down: every event's first attempt is refused...
    receiver.set('refuse');
    const deletedOf = () => receiver.attempts.map((attempt) => receiver.messageOf(attempt)).find((message) => message.type === 'account.deleted');
    await until(() => log.every((event) => receiver.attemptsOf(event.id).length > 0) && deletedOf() !== undefined, 'every event was attempted');
    const deleted = deletedOf()!;
    const eventIds = [...log.map((event) => event.id), deleted.data.eventId];
    expect(eventIds.every((id) => receiver.attemptsOf(id).every((attempt) => attempt.status !== 200))).toBe(true);
    // ...then up: each is retried (the first retry about 2.7 s later) and accepted.
    receiver.set('accept');
    await until(() => eventIds.every((id) => receiver.attemptsOf(id).some((attempt) => attempt.status === 200)), 'every event was accepted');
    await until(async () => (await db.query("select 1 from graphile_worker.jobs where task_identifier = 'webhook'")).length === 0, 'no webhook job is left');

    // Every request, failed or not, verifies: signed with WEBHOOK_SECRET, for the timestamp it was sent at.
    for (const attempt of receiver.attempts) {
      expect(attempt.verified).toEqual({ ok: true, payload: JSON.parse(attempt.body) });
      expect(attempt.path).toBe('/hooks/login-activity?token=receiver-token');
      expect(attempt.headers['content-type']).toBe('application/json');
      expect(Math.abs(Number(attempt.headers['webhook-timestamp']) - attempt.receivedAt / 1000)).toBeLessThan(5);
    }
    // One webhook per event, each retried under one webhook-id with one body, and accepted once.
    expect(new Set(receiver.attempts.map((attempt) => receiver.messageOf(attempt).data.eventId))).toEqual(new Set(eventIds));
    for (const id of eventIds) {
      const attempts = receiver.attemptsOf(id);
      expect(attempts.length).toBeGreaterThanOrEqual(2);
      expect(new Set(attempts.map((attempt) => attempt.headers['webhook-id']))).toEqual(new Set([`msg_${id}`]));
      expect(new Set(attempts.map((attempt) => attempt.body)).size).toBe(1);
      expect(attempts.filter((attempt) => attempt.status === 200)).toHaveLength(1);
      expect(attempts.at(-1)?.status).toBe(200);
    }
    // The first retry comes after the queue's backoff (about 2.7 s), well within the contract's 10 s.
    const retryGaps = eventIds.map((id) => {
      const [first, second] = receiver.attemptsOf(id);
      return second!.receivedAt - first!.answeredAt!;
    });
    expect(Math.min(...retryGaps)).toBeGreaterThan(1_000);
    expect(Math.max(...retryGaps)).toBeLessThan(10_000);

    // The payload: the contract's type and fields, the event as the log has it.
    for (const event of log) {
      const message = receiver.messageOf(receiver.attemptsOf(event.id)[0]!);
      expect(message).toEqual({
        type: TYPE_OF_KIND[event.kind],
        timestamp: event.at,
        data: {
          userId: a.user.id,
          eventId: event.id,
          ipAddress: event.ipAddress,
          userAgent: event.userAgent,
          device: event.device,
          location: null,
          ...(event.login ? { loginId: event.login.id } : {}),
          ...(event.revokedReason ? { revokedReason: event.revokedReason } : {}),
        },
      });
    }
    const typesSent = log.map((event) => TYPE_OF_KIND[event.kind]);
    expect(new Set(typesSent)).toEqual(new Set(['login.created', 'login.failed', 'login.throttled', 'login.revoked', 'password.changed', 'login.new_device']));
    expect(log.filter((event) => event.kind === 'LOGIN_THROTTLED').map((event) => event.ipAddress)).toEqual(['127.0.0.2']);
    expect(log.filter((event) => event.kind === 'LOGIN_REVOKED').map((event) => event.revokedReason).sort()).toEqual(['LOGOUT', 'LOGOUT_ALL']);
    expect(deleted).toEqual({
      type: 'account.deleted',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      data: { userId: a.user.id, eventId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/), ipAddress: '127.0.0.1', userAgent: FIREFOX_LINUX, device: 'Firefox 132 on Linux', location: null },
    });
    expect(Date.parse(deleted.timestamp)).toBeGreaterThanOrEqual(Math.max(...log.map((event) => Date.parse(event.at))));
  });
});

describe('deliverWebhook: one attempt', () => {
  const secret = Buffer.alloc(32, 9);
  const webhook = { id: 'msg_test', body: '{"type":"login.created"}' };

  /** A receiver answering each request with `answer`; returns its URL and what it got. */
  async function receiverAnswering(answer: (response: http.ServerResponse) => void) {
    const requests: http.IncomingMessage[] = [];
    const receiving = http.createServer((request, response) => {
      requests.push(request);
      request.resume();
      request.on('end', () => answer(response));
    });
    await new Promise<void>((resolve) => receiving.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiving.address() as AddressInfo).port}/in?token=hush-token`;
    return {
      url,
      requests,
      close: async () => {
        receiving.closeAllConnections();
        await new Promise((resolve) => receiving.close(resolve));
      },
    };
  }

  async function failureOf(promise: Promise<void>): Promise<WebhookDeliveryError> {
    const error: unknown = await promise.then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(WebhookDeliveryError);
    const failure = error as WebhookDeliveryError;
    // Logged as it is: never the URL's token, the secret or the body.
    for (const hidden of ['hush-token', secret.toString('base64'), webhook.body]) expect(`${failure.message} ${failure.stack}`).not.toContain(hidden);
    return failure;
  }

  it('counts only a 2xx as delivered; a redirect is a failure and is not followed', async () => {
    const elsewhere = await receiverAnswering((response) => response.writeHead(200).end());
    const accepting = await receiverAnswering((response) => response.writeHead(204).end());
    const refusing = await receiverAnswering((response) => response.writeHead(500).end('a body that is not read'));
    const moved = await receiverAnswering((response) => response.writeHead(307, { location: elsewhere.url }).end());
    try {
      await deliverWebhook({ url: accepting.url, secret }, webhook);
      expect(accepting.requests[0]?.headers['webhook-id']).toBe('msg_test');
      expect((await failureOf(deliverWebhook({ url: refusing.url, secret }, webhook))).status).toBe(500);
      const redirect = await failureOf(deliverWebhook({ url: moved.url, secret }, webhook));
      expect([redirect.status, redirect.message]).toEqual([307, 'webhook receiver answered HTTP 307']);
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await Promise.all([elsewhere.close(), accepting.close(), refusing.close(), moved.close()]);
    }
  });

  it('fails on a receiver that does not answer in time, on a refused connection, and when the job is cancelled', async () => {
    const silent = await receiverAnswering(() => {});
    try {
      const timedOut = await failureOf(deliverWebhook({ url: silent.url, secret }, webhook, { timeoutMs: 300 }));
      expect([timedOut.code, timedOut.message]).toEqual(['ETIMEDOUT', 'webhook receiver did not answer within 300 ms']);
      const stopping = new AbortController();
      const cancelled = failureOf(deliverWebhook({ url: silent.url, secret }, webhook, { signal: stopping.signal }));
      await until(() => silent.requests.length === 2, 'the second request arrived', 5_000);
      stopping.abort();
      expect((await cancelled).code).toBe('ECANCELED');
    } finally {
      await silent.close();
    }
    const refused = await failureOf(deliverWebhook({ url: `http://127.0.0.1:${await closedPort()}/in?token=hush-token`, secret }, webhook));
    expect([refused.code, refused.message]).toEqual(['ECONNREFUSED', 'webhook delivery failed: ECONNREFUSED']);
  });
});
