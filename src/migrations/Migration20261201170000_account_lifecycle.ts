import { Migration } from '@mikro-orm/migrations';

export class Migration20261201170000_account_lifecycle extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter type "revoke_reason" add value if not exists 'PASSWORD_CHANGED' after 'LOGIN_LIMIT';`);
    this.addSql(`alter type "revoke_reason" add value if not exists 'IDLE_TIMEOUT' after 'PASSWORD_CHANGED';`);
    // Existing accounts set their password when they registered.
    this.addSql(`alter table "users" add column "password_changed_at" timestamptz null;`);
    this.addSql(`update "users" set "password_changed_at" = "created_at";`);
    this.addSql(`alter table "users" alter column "password_changed_at" set not null;`);
    this.addSql(`create index "user_logins_active_last_seen_idx" on "user_logins" ("last_seen_at") where "revoked_at" is null;`);
  }

  override async down(): Promise<void> {
    // PostgreSQL cannot drop a value from an enum type; PASSWORD_CHANGED and IDLE_TIMEOUT stay.
    this.addSql(`drop index "user_logins_active_last_seen_idx";`);
    this.addSql(`alter table "users" drop column "password_changed_at";`);
  }
}
