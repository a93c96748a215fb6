import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125195116_init } from './Migration20261125195116_init';

/** Every migration, oldest first. A test fails when a file in this folder is missing here. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261125195116_init', class: Migration20261125195116_init },
];
