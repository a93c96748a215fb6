import type { Location } from '../entities/location';
import { MAX_STORED_USER_AGENT_LENGTH } from '../limits';
import { describeDevice } from './device-label';

/** Where a request comes from, as recorded on a login and on the security events it causes. */
export interface ClientInfo {
  readonly ipAddress: string;
  readonly userAgent: string;
  readonly device: string;
  readonly browserName: string;
  readonly osName: string;
  readonly location: Location | null;
}

/** Where an IP address is; null for private, loopback or unknown ones. */
export type Locate = (ipAddress: string) => Location | null;

/** "::ffff:127.0.0.1" is how a dual-stack socket reports an IPv4 peer; show it as the IPv4 address. */
export function normalizeIp(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
}

export function clientInfo(ipAddress: string | undefined, userAgent: string | undefined, locate: Locate): ClientInfo {
  const agent = userAgent ?? '';
  const address = normalizeIp(ipAddress ?? '');
  const { label, browserName, osName } = describeDevice(agent);
  // Stored on every login and listed by myLogins: a 12 KB header would make history heavy to read.
  return {
    ipAddress: address,
    userAgent: agent.slice(0, MAX_STORED_USER_AGENT_LENGTH),
    device: label,
    browserName,
    osName,
    location: address === '' ? null : locate(address),
  };
}
