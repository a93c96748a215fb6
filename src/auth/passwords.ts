import bcrypt from 'bcryptjs';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Compares against the hash, or against a dummy hash of the same cost when there is none, so both take as long. */
  verify(password: string, hash: string | undefined): Promise<boolean>;
}

export function createPasswordHasher(cost: number): PasswordHasher {
  // Made once, up front, so the first unknown-email login is not slower than the rest.
  const dummyHash = bcrypt.hash('dummy password for unknown accounts', cost);

  return {
    hash: (password) => bcrypt.hash(password, cost),
    async verify(password, hash) {
      if (hash === undefined) {
        await bcrypt.compare(password, await dummyHash);
        return false;
      }
      return bcrypt.compare(password, hash);
    },
  };
}
