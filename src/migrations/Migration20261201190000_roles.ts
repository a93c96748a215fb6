import { Migration } from '@mikro-orm/migrations';

export class Migration20261201190000_roles extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter type "revoke_reason" add value if not exists 'ADMIN' after 'NOT_ME';`);
    this.addSql(`create type "user_role" as enum ('USER', 'ADMIN');`);
    this.addSql(`alter table "users" add column "role" "user_role" not null default 'USER';`);
  }

  override async down(): Promise<void> {
    // PostgreSQL cannot drop a value from an enum type; ADMIN stays in revoke_reason.
    this.addSql(`alter table "users" drop column "role";`);
    this.addSql(`drop type "user_role";`);
  }
}
