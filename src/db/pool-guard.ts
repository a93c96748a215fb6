import type { Pool, PoolClient } from 'pg';

/**
 * A pooled connection that failed at the connection level (it errored, it ended, or a query on it
 * timed out while the server still owed an answer) must leave the pool at once, and never be handed
 * out again:
 * - Kysely, under MikroORM 7, gives a transaction's connection back only when its ROLLBACK succeeds;
 *   on a connection cut mid-transaction the ROLLBACK fails too, and the connection would stay checked
 *   out for ever (a pool slot lost per fault, and `orm.close()` waiting on it).
 * - node-postgres' `query_timeout` rejects the query but leaves it running on the connection; given
 *   back without an error, the next borrower's query would queue behind it.
 * pg-pool removes a client released with an error, so this releases such a client with its error as
 * soon as it breaks, and makes the borrower's own, later release a no-op.
 */
export function guardPool(pool: Pool): void {
  pool.on('connect', guardClient);
}

const QUERY_TIMEOUT = 'Query read timeout';

function guardClient(client: PoolClient): void {
  let releaseToPool: ((error?: Error | boolean) => void) | undefined;
  let broken: Error | undefined;

  const discard = (error: Error) => {
    broken ??= error;
    const release = releaseToPool;
    releaseToPool = undefined;
    release?.(broken);
  };

  // pg-pool assigns `release` on every checkout: keep its function, hand out one that runs it once.
  Object.defineProperty(client, 'release', {
    configurable: true,
    get: () => (error?: Error | boolean) => {
      const release = releaseToPool;
      releaseToPool = undefined;
      release?.(broken ?? error);
    },
    set: (release: (error?: Error | boolean) => void) => {
      releaseToPool = release;
      // Broken while idle: pg-pool's own idle listener already removes it; nothing to hand out.
      if (broken) discard(broken);
    },
  });

  client.on('error', discard);
  client.on('end', () => discard(new Error('the database connection ended')));

  // Only the promise form: pool.query's callback form already releases with the query's error.
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((...args: unknown[]) => {
    const result = query(...args);
    if (result instanceof Promise) {
      result.catch((error: unknown) => {
        if (error instanceof Error && error.message === QUERY_TIMEOUT) discard(error);
      });
    }
    return result;
  }) as PoolClient['query'];
}
