import type { MikroORM } from '@mikro-orm/postgresql';
import type { ClientBase, Pool } from 'pg';

/**
 * The ORM's own node-postgres pool (MikroORM's public `getNativeClient()`), for the few statements
 * that must bypass the ORM: the per-request session check, the rate limiter, the migration lock.
 */
export function nativePool(orm: MikroORM): Promise<Pool> {
  return orm.em.getConnection().getNativeClient();
}

/** Runs `work` on one connection borrowed from the pool, and always returns it. */
export async function withPooledConnection<T>(pool: Pool, work: (connection: ClientBase) => Promise<T>): Promise<T> {
  const connection = await pool.connect();
  try {
    return await work(connection);
  } finally {
    connection.release();
  }
}
