import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnceReleasedPool } from '../../src/jobs/job-queue';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

/**
 * graphile-worker 0.18 can release its LISTEN client twice after that connection breaks; pg-pool
 * throws on the second release inside a promise nobody awaits, which would end the server's process.
 * The queue's pool takes a second release of a checkout as done.
 */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

const connected = (pool: pg.Pool) =>
  new Promise<(release?: unknown) => void>((resolve, reject) =>
    pool.connect((error, _client, done) => (error ? reject(error) : resolve(done))),
  );

describe('the job queue’s pool', () => {
  it('ignores a second release of one checkout, where pg-pool throws', async () => {
    const plain = new pg.Pool({ connectionString: db.url, max: 2 });
    const once = new OnceReleasedPool({ connectionString: db.url, max: 2 });
    // pg-pool's end() resolves before its connections have closed; the database's drop (with force)
    // can then end one that is still closing, whose FATAL would be an 'error' nobody listens to
    // (on the client, or on the pool its idle listener passes it to).
    for (const pool of [plain, once]) {
      pool.on('error', () => {});
      pool.on('connect', (client) => client.on('error', () => {}));
    }
    try {
      const plainDone = await connected(plain);
      plainDone();
      expect(() => plainDone()).toThrow(/already been released/);

      const done = await connected(once);
      done();
      expect(() => done()).not.toThrow();
      const client = await once.connect();
      client.release();
      expect(() => client.release()).not.toThrow();
      // The pool is still whole: both of its connections can be checked out again.
      const [a, b] = await Promise.all([once.connect(), once.connect()]);
      expect((await a.query<{ one: number }>('select 1 as one')).rows).toEqual([{ one: 1 }]);
      a.release();
      b.release();
      expect(once.totalCount).toBeLessThanOrEqual(2);
    } finally {
      await Promise.all([plain.end(), once.end()]);
    }
  });
});
