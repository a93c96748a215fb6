import bcrypt from 'bcryptjs';
import { afterAll, describe, expect, it } from 'vitest';
import { createPasswordHasher } from '../../src/auth/passwords';

describe.each([
  ['on two worker threads', 2],
  ['on the main thread', 0],
])('the password hasher %s', (_, workers) => {
  const hasher = createPasswordHasher(4, workers);
  afterAll(() => hasher.close());

  it('makes bcrypt hashes of the configured cost that verify', async () => {
    const hash = await hasher.hash('correct horse battery');
    expect(bcrypt.getRounds(hash)).toBe(4);
    expect(await hasher.verify('correct horse battery', hash)).toBe(true);
    expect(await hasher.verify('wrong horse battery', hash)).toBe(false);
  });

  it('answers false for a missing hash, after comparing against a dummy one', async () => {
    expect(await hasher.verify('correct horse battery', undefined)).toBe(false);
  });

  it('runs many at once', async () => {
    const hashes = await Promise.all(Array.from({ length: 8 }, (_, i) => hasher.hash(`password-${i}`)));
    expect(new Set(hashes).size).toBe(8);
  });
});
