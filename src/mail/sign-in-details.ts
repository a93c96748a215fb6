import { oneLine } from '../lib/html';

/**
 * Where a sign-in came from, as the offline IP database gave it (src/entities/location.ts has the same
 * shape); null when the address is private, loopback or unknown.
 */
export interface SignInLocation {
  readonly city: string | null;
  readonly country: string;
  readonly countryCode: string;
}

export const UNKNOWN_LOCATION = 'Unknown location';

/** "Berlin, Germany", "Germany" when only the country is known, or "Unknown location". */
export function placeOf(location: SignInLocation | null): string {
  if (!location) return UNKNOWN_LOCATION;
  const country = oneLine(location.country);
  const city = location.city === null ? '' : oneLine(location.city);
  if (!country) return city || UNKNOWN_LOCATION;
  return city ? `${city}, ${country}` : country;
}

// UTC for everyone: the server does not know the reader's time zone, and the ISO form beside it
// (`at.toISOString()`) is exact. Built once: formatters are costly to create.
const READABLE_UTC = new Intl.DateTimeFormat('en-GB', { dateStyle: 'full', timeStyle: 'short', timeZone: 'UTC' });

/** "Tuesday, 15 December 2026 at 14:03 UTC". */
export function readableUtc(at: Date): string {
  return `${READABLE_UTC.format(at)} UTC`;
}
