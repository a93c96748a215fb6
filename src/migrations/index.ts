import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125195116_init } from './Migration20261125195116_init';
import { Migration20261125201528_rate_limits_and_login_limit } from './Migration20261125201528_rate_limits_and_login_limit';
import { Migration20261201124059_revoked_at_index } from './Migration20261201124059_revoked_at_index';
import { Migration20261201170000_account_lifecycle } from './Migration20261201170000_account_lifecycle';
import { Migration20261201180000_security_activity } from './Migration20261201180000_security_activity';
import { Migration20261201190000_roles } from './Migration20261201190000_roles';

/** Every migration, oldest first. A test fails when a file in this folder is missing here. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261125195116_init', class: Migration20261125195116_init },
  {
    name: 'Migration20261125201528_rate_limits_and_login_limit',
    class: Migration20261125201528_rate_limits_and_login_limit,
  },
  { name: 'Migration20261201124059_revoked_at_index', class: Migration20261201124059_revoked_at_index },
  { name: 'Migration20261201170000_account_lifecycle', class: Migration20261201170000_account_lifecycle },
  { name: 'Migration20261201180000_security_activity', class: Migration20261201180000_security_activity },
  { name: 'Migration20261201190000_roles', class: Migration20261201190000_roles },
];
