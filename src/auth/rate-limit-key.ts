import { isIPv4, isIPv6 } from 'node:net';

/**
 * The client a rate limit (and the bcrypt queue's per-IP share) counts: an IPv4 address as it is;
 * an IPv6 address by its /64 prefix, because one subscriber (a home, a phone, a server) is usually
 * given a whole /64 and can pick any address in it; an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`)
 * as the IPv4 address. Anything else (not an address) is counted as given.
 */
export function rateLimitKey(ip: string): string {
  if (isIPv4(ip)) return ip;
  const address = ip.split('%')[0]!; // a zone index (fe80::1%eth0) names the interface, not the client
  if (!isIPv6(address)) return ip;
  const groups = ipv6Groups(address);
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  if (mapped) return `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
  return `${groups.slice(0, 4).map((group) => group.toString(16)).join(':')}::/64`;
}

/** The 8 16-bit groups of a valid IPv6 address (`::` expanded, a trailing dotted IPv4 part read as 2 groups). */
function ipv6Groups(address: string): number[] {
  const toGroups = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((piece) => {
          if (!piece.includes('.')) return [parseInt(piece, 16)];
          const [a, b, c, d] = piece.split('.').map(Number) as [number, number, number, number];
          return [(a << 8) | b, (c << 8) | d];
        });
  const [head, tail] = address.split('::') as [string, string | undefined];
  const front = toGroups(head);
  if (tail === undefined) return front;
  const back = toGroups(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}
