import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';

const queueOf = (env: Record<string, string>) => loadConfig(env, '/srv/app').bcryptQueue;

describe('the bcrypt queue limits', () => {
  it('follow BCRYPT_WORKERS by default: 8 per worker, a quarter per IP, 2 per account', () => {
    expect(queueOf({ BCRYPT_WORKERS: '2' })).toEqual({ total: 16, perAccount: 2, perIp: 4 });
    expect(queueOf({ BCRYPT_WORKERS: '8' })).toEqual({ total: 64, perAccount: 2, perIp: 16 });
    // On the main thread, the queue is drained as by one worker.
    expect(queueOf({ BCRYPT_WORKERS: '0' })).toEqual({ total: 8, perAccount: 2, perIp: 2 });
  });

  it('are read from BCRYPT_QUEUE_LIMIT, BCRYPT_QUEUE_PER_ACCOUNT and BCRYPT_QUEUE_PER_IP', () => {
    expect(queueOf({ BCRYPT_QUEUE_LIMIT: '40', BCRYPT_QUEUE_PER_ACCOUNT: '3', BCRYPT_QUEUE_PER_IP: '10' })).toEqual({
      total: 40,
      perAccount: 3,
      perIp: 10,
    });
  });

  it('refuse zero', () => {
    expect(() => queueOf({ BCRYPT_QUEUE_PER_IP: '0' })).toThrow(/BCRYPT_QUEUE_PER_IP/);
  });
});
