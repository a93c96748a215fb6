import type { UserLoginFieldsFragment } from '../../../sdk/generated/graphql';

export type Place = NonNullable<UserLoginFieldsFragment['location']>;

/**
 * "Frankfurt am Main, Germany", or "Germany" when the server knows only the country. Null (a
 * private, loopback or unknown address) shows nothing rather than "Unknown location": in
 * development every login is from 127.0.0.1, and a word on every row would say nothing.
 */
export function locationLabel(location: Place | null): string | null {
  if (location === null) return null;
  return location.city ? `${location.city}, ${location.country}` : location.country;
}
