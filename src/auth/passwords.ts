import path from 'node:path';
import bcrypt from 'bcryptjs';
import { Piscina } from 'piscina';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /**
   * Compares against the hash, or against a dummy hash of the configured cost when there is none;
   * a hash of a lower cost is followed by the dummy comparison too. So a wrong password never
   * answers sooner than an unknown email, whatever cost the account was hashed at.
   */
  verify(password: string, hash: string | undefined): Promise<boolean>;
  /** True when the hash was made at another cost than the configured one: hash the password again. */
  needsRehash(hash: string): boolean;
  close(): Promise<void>;
}

/** `compare`: whether the password matches the first hash; every hash is compared, for the time it takes. */
export type BcryptTask = { kind: 'hash'; password: string; cost: number } | { kind: 'compare'; password: string; hashes: string[] };
export type RunBcrypt = (task: BcryptTask) => Promise<string | boolean>;

/** bcryptjs' own async API: runs on the main thread in slices (only for BCRYPT_WORKERS=0). */
export const bcryptOnMainThread: RunBcrypt = async (task) => {
  if (task.kind === 'hash') return bcrypt.hash(task.password, task.cost);
  const [first, ...padding] = task.hashes;
  const matches = await bcrypt.compare(task.password, first!);
  for (const hash of padding) await bcrypt.compare(task.password, hash);
  return matches;
};

/** The password hasher at `cost` on the given bcrypt runner (a worker pool, or the main thread). */
export function passwordHasherOn(run: RunBcrypt, cost: number, close: () => Promise<void> = async () => {}): PasswordHasher {
  // Made once, up front, so the first unknown-email login is not slower than the rest.
  const dummyHash = run({ kind: 'hash', password: 'dummy password for unknown accounts', cost }) as Promise<string>;
  // Start-up must not fail on an unhandled rejection before the first login awaits it.
  dummyHash.catch(() => {});

  return {
    hash: (password) => run({ kind: 'hash', password, cost }) as Promise<string>,
    async verify(password, hash) {
      const dummy = await dummyHash;
      if (hash === undefined) {
        await run({ kind: 'compare', password, hashes: [dummy] });
        return false;
      }
      // A hash from a lower cost (made before BCRYPT_COST was raised) compares much faster than the
      // dummy of an unknown email, which would tell that the account exists.
      const hashes = bcrypt.getRounds(hash) < cost ? [hash, dummy] : [hash];
      return (await run({ kind: 'compare', password, hashes })) as boolean;
    },
    needsRehash: (hash) => bcrypt.getRounds(hash) !== cost,
    close,
  };
}

/**
 * bcrypt at `cost`, on `workers` worker threads (0: on the main thread, which a login storm then
 * blocks for everyone; the benchmark compares both).
 */
export function createPasswordHasher(cost: number, workers: number): PasswordHasher {
  if (workers === 0) return passwordHasherOn(bcryptOnMainThread, cost);
  const pool = new Piscina<BcryptTask, string | boolean>({
    filename: path.join(__dirname, 'bcrypt.worker.js'),
    minThreads: workers,
    maxThreads: workers,
  });
  return passwordHasherOn((task) => pool.run(task), cost, () => pool.destroy());
}
