import type { Ref } from '@mikro-orm/core';
import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { UserLogin } from './user-login.entity';

/**
 * The token of a new-sign-in email's "this wasn't me" link, by its SHA-256 (the token itself is only
 * in the email): it names one login, works once, and expires.
 */
@Entity({ tableName: 'alert_links' })
export class AlertLink {
  @PrimaryKey({ type: 'text' })
  tokenHash: string;

  @ManyToOne(() => UserLogin, { ref: true, deleteRule: 'cascade', index: true })
  login: Ref<UserLogin>;

  @Property({ type: 'datetime' })
  expiresAt: Date;

  @Property({ type: 'datetime', nullable: true })
  usedAt: Date | null = null;

  constructor(tokenHash: string, login: Ref<UserLogin>, expiresAt: Date) {
    this.tokenHash = tokenHash;
    this.login = login;
    this.expiresAt = expiresAt;
  }
}
