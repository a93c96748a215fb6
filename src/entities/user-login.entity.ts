import { randomUUID } from 'node:crypto';
import type { Ref } from '@mikro-orm/core';
import { Check, Embedded, Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { Field, ID, ObjectType } from 'type-graphql';
import { formatMilliseconds, LAST_SEEN_INTERVAL_MS } from '../limits';
import { Location } from './location';
import { RevokeReason } from './revoke-reason';
import { User } from './user.entity';

/**
 * One login = one device session = one JWT (whose `sid` claim is this id).
 * The per-request session check is a primary-key lookup; `myLogins` scans
 * `user_logins_user_created_idx`.
 */
@ObjectType({ description: 'One login: one device session, one JWT.' })
@Entity({ tableName: 'user_logins' })
@Check({
  name: 'user_logins_revocation_complete',
  expression: '("revoked_at" is null) = ("revoked_reason" is null)',
})
@Index({ name: 'user_logins_user_created_idx', properties: ['user', 'createdAt'] })
// One active login per (user, IP address, user agent). The user agent is hashed because a raw
// header may exceed what a B-tree index entry can hold.
@Index({
  name: 'user_logins_one_active_per_device',
  expression:
    'create unique index "user_logins_one_active_per_device" on "user_logins" ("user_id", "ip_address", md5("user_agent")) where "revoked_at" is null',
})
// What history pruning (HISTORY_RETENTION) looks for: revoked logins by age, without reading active ones.
@Index({
  name: 'user_logins_revoked_at_idx',
  expression: 'create index "user_logins_revoked_at_idx" on "user_logins" ("revoked_at") where "revoked_at" is not null',
})
// What the idle sweep (SESSION_IDLE_TIMEOUT) looks for: active logins by when they were last used.
@Index({
  name: 'user_logins_active_last_seen_idx',
  expression: 'create index "user_logins_active_last_seen_idx" on "user_logins" ("last_seen_at") where "revoked_at" is null',
})
export class UserLogin {
  @Field(() => ID, { description: "Opaque and unguessable (a UUID); the JWT's `sid` claim." })
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  // `on update cascade` as the first migration made it (MikroORM 6's default), so existing databases match.
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade', updateRule: 'cascade', index: false })
  user: Ref<User>;

  @Field()
  @Property({ type: 'text' })
  ipAddress: string;

  @Field({ description: 'The User-Agent header ("" when absent), cut to its first 512 characters.' })
  @Property({ type: 'text' })
  userAgent: string;

  @Field({ description: 'A readable label from the user agent, e.g. "Firefox 132 on Linux".' })
  @Property({ type: 'text' })
  device: string;

  /** The browser's and the operating system's names from the user agent, versions left out ("" when unknown): what "the same device" means for new-sign-in emails. */
  @Property({ type: 'text', default: '' })
  browserName: string;

  @Property({ type: 'text', default: '' })
  osName: string;

  @Field(() => Location, { nullable: true, description: 'From ipAddress; null for private, loopback or unknown addresses.' })
  @Embedded(() => Location, { nullable: true, prefix: 'location_' })
  location: Location | null;

  @Field()
  @Property({ type: 'datetime' })
  createdAt: Date;

  @Field({ description: `Last authenticated request (may lag up to ${formatMilliseconds(LAST_SEEN_INTERVAL_MS)}).` })
  @Property({ type: 'datetime' })
  lastSeenAt: Date;

  @Field({ description: 'When the token of this login stops being accepted.' })
  @Property({ type: 'datetime' })
  expiresAt: Date;

  @Field(() => Date, { nullable: true, description: 'Null while the login is active.' })
  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;

  @Field(() => RevokeReason, { nullable: true })
  @Enum({ items: () => RevokeReason, nativeEnumName: 'revoke_reason', nullable: true })
  revokedReason: RevokeReason | null = null;

  constructor(init: {
    user: Ref<User>;
    ipAddress: string;
    userAgent: string;
    device: string;
    browserName: string;
    osName: string;
    location: Location | null;
    createdAt: Date;
    expiresAt: Date;
  }) {
    this.user = init.user;
    this.ipAddress = init.ipAddress;
    this.userAgent = init.userAgent;
    this.device = init.device;
    this.browserName = init.browserName;
    this.osName = init.osName;
    this.location = init.location;
    this.createdAt = init.createdAt;
    this.lastSeenAt = init.createdAt;
    this.expiresAt = init.expiresAt;
  }
}
