import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * The counters of rate-limiter-flexible's PostgreSQL store, in the table layout it expects. Mapped
 * here only so that migrations create it and the schema check knows it; the limiter writes it.
 */
@Entity({ tableName: 'rate_limits' })
export class RateLimitCounter {
  @PrimaryKey({ type: 'string', length: 255 })
  key!: string;

  @Property({ type: 'integer', default: 0 })
  points!: number;

  /** Milliseconds since the epoch; null never expires. */
  @Property({ type: 'bigint', nullable: true })
  expire!: string | null;
}
