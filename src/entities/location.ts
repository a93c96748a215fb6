import { Embeddable, Property } from '@mikro-orm/decorators/legacy';
import { Field, ObjectType } from 'type-graphql';

/**
 * Where an IP address is, from the offline IP database, as it was when the login or event was
 * recorded (stored, so a later database update does not move past sign-ins).
 */
@ObjectType({ description: 'Where an IP address is, from an offline IP database (no network lookup).' })
@Embeddable()
export class Location {
  @Field(() => String, { nullable: true, description: 'Null when the database knows only the country.' })
  @Property({ type: 'text', nullable: true })
  city: string | null;

  @Field({ description: 'The English name, e.g. "Germany".' })
  @Property({ type: 'text' })
  country: string;

  @Field({ description: 'ISO 3166-1 alpha-2, e.g. "DE".' })
  @Property({ type: 'text' })
  countryCode: string;

  constructor(city: string | null, country: string, countryCode: string) {
    this.city = city;
    this.country = country;
    this.countryCode = countryCode;
  }
}
