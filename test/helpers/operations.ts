import { randomBytes } from 'node:crypto';
import type { GraphQLClient } from './graphql-client';

export const LOGIN_FIELDS = `id ipAddress userAgent device createdAt lastSeenAt expiresAt current revokedAt revokedReason`;

export const REGISTER = `mutation Register($input: RegisterInput!) {
  register(input: $input) { token expiresAt user { id email createdAt } login { ${LOGIN_FIELDS} } }
}`;

export const LOGIN = `mutation Login($input: LoginInput!) {
  login(input: $input) { token expiresAt user { id email createdAt } login { ${LOGIN_FIELDS} } }
}`;

export const ME = `query { me { id email createdAt } }`;
export const MY_LOGINS = `query MyLogins($includeRevoked: Boolean! = false) {
  myLogins(includeRevoked: $includeRevoked) { ${LOGIN_FIELDS} }
}`;
export const LOGOUT = `mutation { logout }`;
export const LOGOUT_DEVICE = `mutation LogoutDevice($loginId: ID!) { logoutDevice(loginId: $loginId) }`;
export const LOGOUT_ALL = `mutation LogoutAll($keepCurrent: Boolean! = false) { logoutAll(keepCurrent: $keepCurrent) }`;

export interface LoginView {
  id: string;
  ipAddress: string;
  userAgent: string;
  device: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  current: boolean;
  revokedAt: string | null;
  revokedReason: 'LOGOUT' | 'LOGOUT_ALL' | 'REPLACED' | null;
}

export interface AuthPayloadView {
  token: string;
  expiresAt: string;
  user: { id: string; email: string; createdAt: string };
  login: LoginView;
}

export const PASSWORD = 'correct horse battery';

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}@example.com`;
}

export async function registerUser(client: GraphQLClient, email = uniqueEmail(), password = PASSWORD) {
  const data = await client.ok<{ register: AuthPayloadView }>(REGISTER, { variables: { input: { email, password } } });
  return data.register;
}

export async function logInUser(client: GraphQLClient, email: string, password = PASSWORD) {
  const data = await client.ok<{ login: AuthPayloadView }>(LOGIN, { variables: { input: { email, password } } });
  return data.login;
}
