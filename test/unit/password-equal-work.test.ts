import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { bcryptOnMainThread, passwordHasherOn, type BcryptTask } from '../../src/auth/passwords';

// Equal time, checked structurally: the bcrypt work a login does is 2^cost per hash compared, so a
// wrong password must compare at least one hash of the server's cost, like an unknown email does.
const SERVER_COST = 6;
const PASSWORD = 'correct horse battery';

/** A hasher on the main thread that records the work of every comparison: the sum of 2^cost over the hashes compared. */
function recordingHasher() {
  const work: number[] = [];
  const run = (task: BcryptTask) => {
    if (task.kind === 'compare') work.push(task.hashes.reduce((sum, hash) => sum + 2 ** bcrypt.getRounds(hash), 0));
    return bcryptOnMainThread(task);
  };
  return { hasher: passwordHasherOn(run, SERVER_COST), work };
}

async function workOf(check: (hasher: ReturnType<typeof recordingHasher>['hasher']) => Promise<boolean>) {
  const { hasher, work } = recordingHasher();
  const matches = await check(hasher);
  expect(work).toHaveLength(1);
  return { matches, work: work[0]! };
}

describe('a wrong password takes as long as an unknown email', () => {
  it('for a hash of a lower cost than BCRYPT_COST (made before the cost was raised)', async () => {
    const lowCostHash = bcrypt.hashSync(PASSWORD, 4);
    const unknownEmail = await workOf((hasher) => hasher.verify('wrong password', undefined));
    const wrongPassword = await workOf((hasher) => hasher.verify('wrong password', lowCostHash));
    const rightPassword = await workOf((hasher) => hasher.verify(PASSWORD, lowCostHash));
    expect(unknownEmail).toEqual({ matches: false, work: 2 ** SERVER_COST });
    expect(wrongPassword.matches).toBe(false);
    expect(wrongPassword.work).toBeGreaterThanOrEqual(unknownEmail.work);
    expect(rightPassword.matches).toBe(true);
    expect(rightPassword.work).toBeGreaterThanOrEqual(unknownEmail.work);
  });

  it('for a hash of BCRYPT_COST: one comparison, of the same work as the dummy', async () => {
    const hash = bcrypt.hashSync(PASSWORD, SERVER_COST);
    const unknownEmail = await workOf((hasher) => hasher.verify('wrong password', undefined));
    const wrongPassword = await workOf((hasher) => hasher.verify('wrong password', hash));
    expect(wrongPassword).toEqual({ matches: false, work: unknownEmail.work });
  });

  it('asks for a rehash exactly when the cost differs', () => {
    const { hasher } = recordingHasher();
    expect(hasher.needsRehash(bcrypt.hashSync(PASSWORD, 4))).toBe(true);
    expect(hasher.needsRehash(bcrypt.hashSync(PASSWORD, SERVER_COST + 1))).toBe(true);
    expect(hasher.needsRehash(bcrypt.hashSync(PASSWORD, SERVER_COST))).toBe(false);
  });
});
