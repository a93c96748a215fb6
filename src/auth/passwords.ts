import path from 'node:path';
import bcrypt from 'bcryptjs';
import { Piscina } from 'piscina';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Compares against the hash, or against a dummy hash of the same cost when there is none, so both take as long. */
  verify(password: string, hash: string | undefined): Promise<boolean>;
  close(): Promise<void>;
}

type BcryptTask = { kind: 'hash'; password: string; cost: number } | { kind: 'compare'; password: string; hash: string };
type RunBcrypt = (task: BcryptTask) => Promise<string | boolean>;

/** bcryptjs' own async API: runs on the main thread in slices (only for BCRYPT_WORKERS=0). */
const onMainThread: RunBcrypt = (task) =>
  task.kind === 'hash' ? bcrypt.hash(task.password, task.cost) : bcrypt.compare(task.password, task.hash);

/**
 * bcrypt at `cost`, on `workers` worker threads (0: on the main thread, which a login storm then
 * blocks for everyone; the benchmark compares both).
 */
export function createPasswordHasher(cost: number, workers: number): PasswordHasher {
  const pool =
    workers > 0
      ? new Piscina<BcryptTask, string | boolean>({
          filename: path.join(__dirname, 'bcrypt.worker.js'),
          minThreads: workers,
          maxThreads: workers,
        })
      : undefined;
  const run: RunBcrypt = pool ? (task) => pool.run(task) : onMainThread;

  // Made once, up front, so the first unknown-email login is not slower than the rest.
  const dummyHash = run({ kind: 'hash', password: 'dummy password for unknown accounts', cost }) as Promise<string>;
  // Start-up must not fail on an unhandled rejection before the first login awaits it.
  dummyHash.catch(() => {});

  return {
    hash: (password) => run({ kind: 'hash', password, cost }) as Promise<string>,
    async verify(password, hash) {
      if (hash === undefined) {
        await run({ kind: 'compare', password, hash: await dummyHash });
        return false;
      }
      return (await run({ kind: 'compare', password, hash })) as boolean;
    },
    async close() {
      await pool?.destroy();
    },
  };
}
