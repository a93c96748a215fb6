import { Migration } from '@mikro-orm/migrations';

export class Migration20261125195116_init extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create type "revoke_reason" as enum ('LOGOUT', 'LOGOUT_ALL', 'REPLACED');`);
    this.addSql(`create table "users" ("id" uuid not null, "email" text not null, "password_hash" text not null, "created_at" timestamptz not null, constraint "users_pkey" primary key ("id"));`);
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);

    this.addSql(`create table "user_logins" ("id" uuid not null, "user_id" uuid not null, "ip_address" text not null, "user_agent" text not null, "device" text not null, "created_at" timestamptz not null, "last_seen_at" timestamptz not null, "expires_at" timestamptz not null, "revoked_at" timestamptz null, "revoked_reason" "revoke_reason" null, constraint "user_logins_pkey" primary key ("id"), constraint "user_logins_revocation_complete" check (("revoked_at" is null) = ("revoked_reason" is null)));`);
    this.addSql(`create unique index "user_logins_one_active_per_device" on "user_logins" ("user_id", "ip_address", md5("user_agent")) where "revoked_at" is null;`);
    this.addSql(`create index "user_logins_user_created_idx" on "user_logins" ("user_id", "created_at");`);

    this.addSql(`alter table "user_logins" add constraint "user_logins_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "user_logins" cascade;`);
    this.addSql(`drop table if exists "users" cascade;`);
    this.addSql(`drop type if exists "revoke_reason";`);
  }
}
