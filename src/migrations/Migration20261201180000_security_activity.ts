import { Migration } from '@mikro-orm/migrations';

export class Migration20261201180000_security_activity extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter type "revoke_reason" add value if not exists 'NOT_ME' after 'IDLE_TIMEOUT';`);
    this.addSql(`alter table "users" alter column "password_changed_at" set default now();`);
    // Logins from before this release have no browser or OS name: new-sign-in detection then compares their whole user agent.
    this.addSql(`alter table "user_logins" add "browser_name" text not null default '', add "os_name" text not null default '', add "location_city" text null, add "location_country" text null, add "location_country_code" text null;`);

    this.addSql(`create type "security_event_kind" as enum ('LOGIN', 'LOGIN_FAILED', 'LOGIN_THROTTLED', 'LOGIN_REVOKED', 'PASSWORD_CHANGED', 'NEW_DEVICE_ALERT');`);
    this.addSql(`create table "security_events" ("id" uuid not null, "user_id" uuid not null, "kind" "security_event_kind" not null, "at" timestamptz not null, "ip_address" text not null, "user_agent" text not null, "device" text not null, "location_city" text null, "location_country" text null, "location_country_code" text null, "login_id" uuid null, "revoked_reason" "revoke_reason" null, primary key ("id"));`);
    this.addSql(`create index "security_events_login_id_index" on "security_events" ("login_id");`);
    this.addSql(`create index "security_events_at_idx" on "security_events" ("at");`);
    this.addSql(`create index "security_events_user_at_idx" on "security_events" ("user_id", "at", "id");`);
    this.addSql(`alter table "security_events" add constraint "security_events_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);
    this.addSql(`alter table "security_events" add constraint "security_events_login_id_foreign" foreign key ("login_id") references "user_logins" ("id") on delete set null;`);

    this.addSql(`create table "alert_links" ("token_hash" text not null, "login_id" uuid not null, "expires_at" timestamptz not null, "used_at" timestamptz null, primary key ("token_hash"));`);
    this.addSql(`create index "alert_links_login_id_index" on "alert_links" ("login_id");`);
    this.addSql(`alter table "alert_links" add constraint "alert_links_login_id_foreign" foreign key ("login_id") references "user_logins" ("id") on delete cascade;`);
  }

  override async down(): Promise<void> {
    // PostgreSQL cannot drop a value from an enum type; NOT_ME stays.
    this.addSql(`alter table "users" alter column "password_changed_at" drop default;`);
    this.addSql(`drop table if exists "alert_links" cascade;`);
    this.addSql(`drop table if exists "security_events" cascade;`);
    this.addSql(`drop type if exists "security_event_kind";`);
    this.addSql(`alter table "user_logins" drop column "browser_name", drop column "os_name", drop column "location_city", drop column "location_country", drop column "location_country_code";`);
  }
}
