import type { Knex } from '@mikro-orm/postgresql';
import type { ClientBase } from 'pg';

/**
 * Runs `work` on a raw node-postgres connection borrowed from the ORM's pool, for the few statements
 * that must bypass the ORM (the per-request session check, the migration lock), and always returns it.
 */
export async function withPooledConnection<T>(knex: Knex, work: (connection: ClientBase) => Promise<T>): Promise<T> {
  const connection = (await knex.client.acquireConnection()) as ClientBase;
  try {
    return await work(connection);
  } finally {
    await knex.client.releaseConnection(connection);
  }
}
