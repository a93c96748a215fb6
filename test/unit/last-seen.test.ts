import { describe, expect, it } from 'vitest';
import { Role } from '../../src/entities/role';
import { LastSeenRecorder } from '../../src/auth/last-seen';

const start = new Date('2030-01-01T00:00:00.000Z');
const later = (ms: number) => new Date(start.getTime() + ms);
const session = {
  user: { id: 'u', email: 'u@example.com', createdAt: start, role: Role.USER },
  loginId: 'l',
  lastSeenAt: start,
  expiresAt: later(3_600_000),
};

describe('LastSeenRecorder', () => {
  it('writes only when the last write is a minute old, and one write per login at a time', async () => {
    const writes: Array<[string, Date]> = [];
    let release!: () => void;
    const recorder = new LastSeenRecorder(
      (loginId, seenAt) => {
        writes.push([loginId, seenAt]);
        return new Promise((resolve) => (release = resolve));
      },
      60_000,
      () => {},
    );

    recorder.record(session, later(59_999));
    expect(writes).toEqual([]);
    recorder.record(session, later(60_000));
    recorder.record(session, later(61_000));
    expect(writes).toEqual([['l', later(60_000)]]);

    release();
    await recorder.flush();
    recorder.record(session, later(62_000));
    expect(writes).toHaveLength(2);
  });

  it('writes at the interval it is given: a short idle timeout slides with writes a quarter of it apart', async () => {
    const writes: Date[] = [];
    const recorder = new LastSeenRecorder(
      async (_loginId, seenAt, intervalMs) => {
        expect(intervalMs).toBe(500);
        writes.push(seenAt);
      },
      500,
      () => {},
    );
    recorder.record(session, later(499));
    recorder.record(session, later(500));
    await recorder.flush();
    expect(writes).toEqual([later(500)]);
  });

  it('reports a failed write and does not throw', async () => {
    const errors: unknown[] = [];
    const recorder = new LastSeenRecorder(() => Promise.reject(new Error('db down')), 60_000, (error) => errors.push(error));
    recorder.record(session, later(60_000));
    await recorder.flush();
    expect(errors).toHaveLength(1);
  });
});
