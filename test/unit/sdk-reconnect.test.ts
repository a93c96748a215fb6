import { describe, expect, it } from 'vitest';
import { FIRST_RECONNECT_MAX_MS, reconnectDelayMs } from '../../sdk';

describe("the SDK's reconnection delays (issue 17: back within half a second after a restart's 1001)", () => {
  it('retries first within 100–500 ms, then backs off 1 s, 2 s, 4 s ... up to 30 s, with up to half again at random', () => {
    const least = (retries: number) => reconnectDelayMs(retries, () => 0);
    const most = (retries: number) => reconnectDelayMs(retries, () => 0.999_999);
    expect([least(0), Math.round(most(0))]).toEqual([100, FIRST_RECONNECT_MAX_MS]);
    expect(FIRST_RECONNECT_MAX_MS).toBeLessThanOrEqual(500);
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(least)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(Math.round(most(1))).toBe(1_500);
    expect(Math.round(most(20))).toBe(45_000);
  });
});
