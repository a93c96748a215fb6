import type { EntityManager } from '@mikro-orm/postgresql';

/** Rows deleted per statement: short statements on tables that logins write all the time. */
const DELETE_BATCH = 1000;

/**
 * Deletes the rows of `table` that `condition` (SQL with `?` for `params`) matches, a batch per
 * statement, inside the caller's transaction; returns how many. For history pruning.
 */
export async function deleteInBatches(tx: EntityManager, table: string, condition: string, params: readonly unknown[]): Promise<number> {
  let deleted = 0;
  for (;;) {
    const batch = await tx.execute<Array<{ id: string }>>(
      `delete from ${table} where id in (select id from ${table} where ${condition} limit ${DELETE_BATCH}) returning id`,
      [...params],
    );
    deleted += batch.length;
    if (batch.length < DELETE_BATCH) return deleted;
  }
}
