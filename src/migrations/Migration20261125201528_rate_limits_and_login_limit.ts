import { Migration } from '@mikro-orm/migrations';

export class Migration20261125201528_rate_limits_and_login_limit extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "rate_limits" ("key" varchar(255) not null, "points" int not null default 0, "expire" bigint null, constraint "rate_limits_pkey" primary key ("key"));`);
    this.addSql(`alter type "revoke_reason" add value if not exists 'LOGIN_LIMIT' after 'REPLACED';`);
  }

  override async down(): Promise<void> {
    // PostgreSQL cannot drop a value from an enum type; LOGIN_LIMIT stays.
    this.addSql(`drop table if exists "rate_limits" cascade;`);
  }
}
