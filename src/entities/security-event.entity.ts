import type { Ref } from '@mikro-orm/core';
import { Embedded, Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { uuidV7 } from '../lib/uuid-v7';
import { Location } from './location';
import { RevokeReason } from './revoke-reason';
import { User } from './user.entity';
import { UserLogin } from './user-login.entity';

export enum SecurityEventKind {
  LOGIN = 'LOGIN',
  LOGIN_FAILED = 'LOGIN_FAILED',
  LOGIN_THROTTLED = 'LOGIN_THROTTLED',
  LOGIN_REVOKED = 'LOGIN_REVOKED',
  PASSWORD_CHANGED = 'PASSWORD_CHANGED',
  NEW_DEVICE_ALERT = 'NEW_DEVICE_ALERT',
}

registerEnumType(SecurityEventKind, {
  name: 'SecurityEventKind',
  description: 'What happened to an account.',
  valuesConfig: {
    LOGIN: { description: 'A successful login or registration (login: the new login).' },
    LOGIN_FAILED: { description: 'A wrong password for this account: login, changePassword or deleteAccount (login: null).' },
    LOGIN_THROTTLED: { description: 'A login attempt for this account refused by a rate limit (at most one a minute per IP address).' },
    LOGIN_REVOKED: { description: 'One of its logins ended, for any RevokeReason (login: that login).' },
    PASSWORD_CHANGED: { description: 'The password was changed.' },
    NEW_DEVICE_ALERT: { description: 'A new-sign-in email was queued (login: the new login).' },
  },
});

/** The network facts of the request that caused an event ("" for the idle sweep, which has none). */
export interface EventSource {
  readonly ipAddress: string;
  readonly userAgent: string;
  readonly device: string;
  readonly location: Location | null;
}

/**
 * One entry of a user's security log, written in the transaction of what it records. Newest first
 * by (at, id), which `security_events_user_at_idx` serves for `mySecurityEvents` pages.
 */
@ObjectType({ description: 'Something that happened to your account, with where the request came from.' })
@Entity({ tableName: 'security_events' })
@Index({ name: 'security_events_user_at_idx', properties: ['user', 'at', 'id'] })
@Index({ name: 'security_events_at_idx', properties: ['at'] })
export class SecurityEvent {
  // Time-ordered: events of one instant (a login and its new-device alert) keep the order they were recorded in.
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidV7();

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade', index: false })
  user: Ref<User>;

  @Field(() => SecurityEventKind)
  @Enum({ items: () => SecurityEventKind, nativeEnumName: 'security_event_kind' })
  kind: SecurityEventKind;

  @Field()
  @Property({ type: 'datetime' })
  at: Date;

  @Field({ description: 'Of the request that caused it ("" for IDLE_TIMEOUT).' })
  @Property({ type: 'text' })
  ipAddress: string;

  @Field()
  @Property({ type: 'text' })
  userAgent: string;

  @Field()
  @Property({ type: 'text' })
  device: string;

  @Field(() => Location, { nullable: true, description: 'From ipAddress; null for private, loopback or unknown addresses.' })
  @Embedded(() => Location, { nullable: true, prefix: 'location_' })
  location: Location | null;

  /** The login it is about; null once that login has been deleted (history pruning keeps the event). */
  @ManyToOne(() => UserLogin, { ref: true, nullable: true, deleteRule: 'set null', index: true })
  login: Ref<UserLogin> | null;

  @Field(() => RevokeReason, { nullable: true, description: 'For LOGIN_REVOKED.' })
  @Enum({ items: () => RevokeReason, nativeEnumName: 'revoke_reason', nullable: true })
  revokedReason: RevokeReason | null;

  constructor(init: {
    user: Ref<User>;
    kind: SecurityEventKind;
    at: Date;
    source: EventSource;
    login?: Ref<UserLogin> | null;
    revokedReason?: RevokeReason | null;
  }) {
    this.user = init.user;
    this.kind = init.kind;
    this.at = init.at;
    this.ipAddress = init.source.ipAddress;
    this.userAgent = init.source.userAgent;
    this.device = init.source.device;
    this.location = init.source.location;
    this.login = init.login ?? null;
    this.revokedReason = init.revokedReason ?? null;
  }
}

/**
 * What the log tells beyond itself (webhooks): a recorded event with its id, or an account's deletion,
 * which leaves no row (the log goes with the account), with an id made for it.
 */
export interface SecurityNotice {
  readonly id: string;
  readonly userId: string;
  readonly kind: SecurityEventKind | 'ACCOUNT_DELETED';
  readonly at: Date;
  readonly source: EventSource;
  readonly loginId: string | null;
  readonly revokedReason: RevokeReason | null;
}
