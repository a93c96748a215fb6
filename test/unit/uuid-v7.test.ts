import { describe, expect, it } from 'vitest';
import { uuidV7 } from '../../src/lib/uuid-v7';

describe('uuidV7', () => {
  it('is a version 7, variant 1 UUID whose first 48 bits are the milliseconds', () => {
    const id = uuidV7(0x0123456789ab);
    expect(id).toMatch(/^01234567-89ab-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('sorts in the order the ids were made, within one millisecond and across them', () => {
    const ms = Date.now() + 10_000;
    const ids = [...Array.from({ length: 5000 }, () => uuidV7(ms)), uuidV7(ms + 1), uuidV7(ms + 5)];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
