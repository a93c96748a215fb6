import { afterEach, describe, expect, it, vi } from 'vitest';
import { Role } from '../../src/entities/role';
import type { Session } from '../../src/auth/sessions';
import type { UserLogin } from '../../src/entities/user-login.entity';
import { RevokeReason } from '../../src/entities/revoke-reason';
import { EventStream } from '../../src/live/event-stream';
import { END_DELIVERY_DEADLINE_MS, LiveConnection, type ConnectionPolicy } from '../../src/live/live-connection';
import { LoginActivityEvent } from '../../src/live/login-activity-event';

const now = new Date('2030-01-01T00:00:00.000Z');
const session: Session = {
  user: { id: 'user-1', email: 'a@example.com', createdAt: now, role: Role.USER },
  loginId: 'login-1',
  lastSeenAt: now,
  expiresAt: new Date(now.getTime() + 3_600_000),
};
const login = (id: string, revokedAt: Date | null = null) =>
  ({ id, createdAt: now, expiresAt: session.expiresAt, revokedAt }) as UserLogin;

function connection(policy: Partial<ConnectionPolicy> = {}) {
  const closes: Array<[number, string]> = [];
  const live = new LiveConnection(session, 'Bearer x', { ipAddress: '', userAgent: '', device: '', browserName: '', osName: '', location: null }, { close: (...args) => void closes.push(args) }, {
    maxSubscriptionsPerUser: 20,
    mayOpenSubscription: () => true,
    expired: () => {},
    ...policy,
  });
  return { live, closes };
}

afterEach(() => vi.useRealTimers());

describe('EventStream', () => {
  it('hands events over in order and is drained only once the consumer asks for more', async () => {
    const stream = new EventStream<number>(10, () => {});
    let drained = false;
    stream.push(1);
    stream.push(2);
    void stream.drained().then(() => (drained = true));
    expect(await stream.next()).toEqual({ value: 1, done: false });
    expect(await stream.next()).toEqual({ value: 2, done: false });
    await Promise.resolve();
    expect(drained).toBe(false);
    const third = stream.next();
    await Promise.resolve();
    expect(drained).toBe(true);
    stream.push(3);
    expect(await third).toEqual({ value: 3, done: false });
  });

  it('refuses events beyond its capacity, and ends once with the consumer told', async () => {
    const onFinish = vi.fn();
    const stream = new EventStream<number>(2, onFinish);
    expect([stream.push(1), stream.push(2), stream.push(3)]).toEqual([true, true, false]);
    await stream.return();
    await stream.return();
    expect(onFinish).toHaveBeenCalledTimes(1);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    await expect(stream.drained()).resolves.toBeUndefined();
  });
});

describe('LiveConnection', () => {
  it('ends with its own REVOKED event written first, then 4401', async () => {
    const { live, closes } = connection();
    const stream = live.openSubscription();
    const pending = stream.next();
    const ending = live.end(LoginActivityEvent.ended(login('login-1', now), now), { reason: 'SESSION_REVOKED', revokedReason: RevokeReason.PASSWORD_CHANGED });
    expect((await pending).value).toMatchObject({ kind: 'REVOKED', login: { id: 'login-1' } });
    expect(closes).toEqual([]);
    // graphql-ws asks for the next event once the previous one is written to the socket.
    void stream.next();
    await ending;
    expect(closes).toEqual([[4401, 'Session ended (SESSION_REVOKED: PASSWORD_CHANGED)']]);
    expect(live.isOpen).toBe(false);
  });

  it(`closes after ${END_DELIVERY_DEADLINE_MS} ms even if the client never takes its last event`, async () => {
    vi.useFakeTimers();
    const { live, closes } = connection();
    live.openSubscription();
    const ending = live.end(LoginActivityEvent.ended(login('login-1', now), now), { reason: 'SESSION_EXPIRED', revokedReason: null });
    await vi.advanceTimersByTimeAsync(END_DELIVERY_DEADLINE_MS - 1);
    expect(closes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await ending;
    expect(closes).toEqual([[4401, 'Session ended (SESSION_EXPIRED)']]);
  });

  it('closes with 1013 a client that lets its events pile up, rather than grow a queue or skip some', () => {
    const { live, closes } = connection();
    live.openSubscription();
    for (let index = 0; index <= 100; index++) live.deliver(LoginActivityEvent.loggedIn(login(`other-${index}`)));
    expect(closes).toEqual([[1013, 'Events not read fast enough']]);
  });

  it('refuses a subscription over the per-user cap, and any once its session has ended', async () => {
    const { live } = connection({ mayOpenSubscription: () => false, maxSubscriptionsPerUser: 3 });
    expect(() => live.openSubscription()).toThrow(expect.objectContaining({ extensions: { code: 'TOO_MANY_REQUESTS', limit: 3 } }));
    const open = connection();
    await open.live.end(null, null);
    expect(open.closes).toEqual([[4401, 'Session ended']]);
    expect(() => open.live.openSubscription()).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }));
  });

  it('calls the policy when its login expires, however far off that is', async () => {
    vi.useFakeTimers({ now });
    const expired = vi.fn();
    const far = { ...session, expiresAt: new Date(now.getTime() + 40 * 24 * 3_600_000) };
    const live = new LiveConnection(far, 'Bearer x', { ipAddress: '', userAgent: '', device: '', browserName: '', osName: '', location: null }, { close: () => {} }, {
      maxSubscriptionsPerUser: 20,
      mayOpenSubscription: () => true,
      expired,
    });
    await vi.advanceTimersByTimeAsync(40 * 24 * 3_600_000 - 1);
    expect(expired).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(expired).toHaveBeenCalledWith(live);
  });
});
