import { MAX_STORED_USER_AGENT_LENGTH } from '../limits';
import { deviceLabel } from './device-label';

/** Where a request comes from, as recorded on a login. */
export interface ClientInfo {
  readonly ipAddress: string;
  readonly userAgent: string;
  readonly device: string;
}

/** "::ffff:127.0.0.1" is how a dual-stack socket reports an IPv4 peer; show it as the IPv4 address. */
export function normalizeIp(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
}

export function clientInfo(ipAddress: string | undefined, userAgent: string | undefined): ClientInfo {
  const agent = userAgent ?? '';
  // Stored on every login and listed by myLogins: a 12 KB header would make history heavy to read.
  return { ipAddress: normalizeIp(ipAddress ?? ''), userAgent: agent.slice(0, MAX_STORED_USER_AGENT_LENGTH), device: deviceLabel(agent) };
}
