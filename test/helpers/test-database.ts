import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  /** A plain connection to this database, for checking rows the API does not show. */
  query<Row extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<Row[]>;
  drop(): Promise<void>;
}

/** Runs one statement as the PostgreSQL superuser, on the maintenance database. */
export async function asAdmin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A new, empty database of its own; `drop` removes it (and any connection still open to it). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `login_activity_test_${randomBytes(6).toString('hex')}`;
  await asAdmin(`create database "${name}"`);
  const url = new URL(inject('adminDatabaseUrl'));
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  // Fault tests kill this database's sessions; an idle connection ended that way is no test failure.
  pool.on('error', () => {});

  return {
    url: url.toString(),
    name,
    async query<Row extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
      return (await pool.query<Row>(sql, params)).rows;
    },
    async drop() {
      await pool.end();
      await asAdmin(`drop database if exists "${name}" with (force)`);
    },
  };
}
