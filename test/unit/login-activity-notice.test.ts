import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  LoginActivityKind,
  decodeNotice,
  encodeNotice,
  MAX_LOGIN_IDS_PER_NOTIFICATION,
  NOTIFY_PAYLOAD_LIMIT_BYTES,
} from '../../src/auth/login-activity';

const ids = (count: number) => Array.from({ length: count }, () => randomUUID());

describe('login activity notices (the NOTIFY payloads)', () => {
  it('carry ids only and decode to what was encoded', () => {
    const notice = { kind: LoginActivityKind.LOGIN, userId: randomUUID(), loginIds: ids(1) };
    const [payload, ...more] = encodeNotice(notice);
    expect(more).toEqual([]);
    expect(Object.keys(JSON.parse(payload!)).sort()).toEqual(['kind', 'loginIds', 'userId', 'v']);
    expect(decodeNotice(payload!)).toEqual(notice);
  });

  it('split a revocation of many logins into payloads under the 8000-byte NOTIFY limit', () => {
    const userId = randomUUID();
    const loginIds = ids(1000);
    const payloads = encodeNotice({ kind: LoginActivityKind.REVOKED, userId, loginIds });
    expect(payloads).toHaveLength(Math.ceil(1000 / MAX_LOGIN_IDS_PER_NOTIFICATION));
    for (const payload of payloads) expect(Buffer.byteLength(payload, 'utf8')).toBeLessThan(NOTIFY_PAYLOAD_LIMIT_BYTES);
    const decoded = payloads.map((payload) => decodeNotice(payload)!);
    expect(decoded.every((notice) => notice.kind === LoginActivityKind.REVOKED && notice.userId === userId)).toBe(true);
    expect(decoded.flatMap((notice) => notice.loginIds)).toEqual(loginIds);
  });

  it('ignore payloads that are not theirs: not JSON, another version, bad ids, unknown kind, no ids', () => {
    const good = { v: 1, kind: 'REVOKED', userId: randomUUID(), loginIds: ids(2) };
    for (const payload of [
      'hello',
      '',
      'null',
      JSON.stringify({ ...good, v: 2 }),
      JSON.stringify({ ...good, kind: 'DELETED' }),
      JSON.stringify({ ...good, userId: 'not-a-uuid' }),
      JSON.stringify({ ...good, loginIds: ['x'] }),
      JSON.stringify({ ...good, loginIds: [] }),
      JSON.stringify({ ...good, loginIds: 'abc' }),
    ]) {
      expect(decodeNotice(payload), payload).toBeNull();
    }
    expect(decodeNotice(JSON.stringify(good))).not.toBeNull();
  });
});
