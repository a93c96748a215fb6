import type { MikroORM } from '@mikro-orm/postgresql';
import { nativePool, withPooledConnection } from './pooled-connection';

/** Any fixed number: the advisory lock every instance takes to run migrations one at a time. */
const MIGRATION_LOCK = 4_242_001;

/**
 * Instances started together on a new database (and the admin CLI beside them) would otherwise run
 * the same migrations at once, and all but one would fail. The lock is held on a connection of its
 * own while the migrator runs.
 */
export async function migrateExclusively(orm: MikroORM) {
  return withPooledConnection(await nativePool(orm), async (connection) => {
    await connection.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      return await orm.migrator.up();
    } finally {
      await connection.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  });
}
