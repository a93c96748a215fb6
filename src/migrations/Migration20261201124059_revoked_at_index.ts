import { Migration } from '@mikro-orm/migrations';

export class Migration20261201124059_revoked_at_index extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "user_logins_revoked_at_idx" on "user_logins" ("revoked_at") where "revoked_at" is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "user_logins_revoked_at_idx";`);
  }
}
