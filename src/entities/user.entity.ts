import { randomUUID } from 'node:crypto';
import { Entity, Enum, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { Field, ID, ObjectType } from 'type-graphql';
import { Role } from './role';

@ObjectType({ description: 'An account that logs in with an email address and a password.' })
@Entity({ tableName: 'users' })
export class User {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field({ description: 'Stored trimmed and lower-cased, so unique regardless of case.' })
  @Property({ type: 'text' })
  @Unique({ name: 'users_email_unique' })
  email: string;

  // Never a GraphQL field and hidden from serialisation: the hash must not leave the server.
  @Property({ type: 'text', hidden: true })
  passwordHash: string;

  @Field()
  @Property({ type: 'datetime' })
  createdAt: Date;

  /** Read with the session on every request, so a grant or revoke applies from the user's next request. */
  @Field(() => Role)
  @Enum({ items: () => Role, nativeEnumName: 'user_role', default: Role.USER })
  role: Role = Role.USER;

  /**
   * When the password was last set (registration, changePassword), never by a rehash at a new cost.
   * A login compares it, under the user's lock, with the value it read when it checked the password:
   * a password changed in between makes that check stale. Read back to the millisecond (a JavaScript
   * Date), so the comparison allows for a stored value finer than that; a change always moves it by 1 ms or more.
   */
  // A default, so that rows inserted by other tools (an import, a seed) need not name it.
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  passwordChangedAt: Date;

  constructor(email: string, passwordHash: string, createdAt: Date) {
    this.email = email;
    this.passwordHash = passwordHash;
    this.createdAt = createdAt;
    this.passwordChangedAt = createdAt;
  }
}
