import { BROWSER_USER_AGENT } from './browser';

/** A signed-in better-auth session, as a browser holds it. */
export interface BetterAuthSession {
  /** The Cookie header a browser would send back: every cookie the sign-in set, `name=value; …`. */
  readonly cookie: string;
  /** The session's token (the session row's), which revoke-session takes. */
  readonly token: string;
}

/** Requests a browser on the peer's page would make: same origin, so better-auth's origin check passes. */
function browserHeaders(peerUrl: string, cookie?: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': BROWSER_USER_AGENT,
    origin: new URL(peerUrl).origin,
    ...(cookie ? { cookie } : {}),
  };
}

async function callAuth(peerUrl: string, endpoint: string, body: object, cookie?: string): Promise<Response> {
  const response = await fetch(new URL(`/api/auth/${endpoint}`, peerUrl), {
    method: 'POST',
    headers: browserHeaders(peerUrl, cookie),
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`better-auth ${endpoint} answered ${response.status}: ${await response.text()}`);
  return response;
}

/** The cookies a response set, as the Cookie header that carries them back; a cookie being cleared is left out. */
function cookieHeaderFrom(response: Response): string {
  return response.headers
    .getSetCookie()
    .filter((setCookie) => !/;\s*max-age=0\b/i.test(setCookie))
    .map((setCookie) => setCookie.split(';', 1)[0]!)
    .join('; ');
}

/** Creates the account through better-auth's own endpoint (POST /api/auth/sign-up/email). */
export async function signUp(peerUrl: string, email: string, password: string): Promise<void> {
  await callAuth(peerUrl, 'sign-up/email', { email, password, name: email.split('@')[0] });
}

/** Signs in (POST /api/auth/sign-in/email): a new session row, and the cookies that carry it. */
export async function signIn(peerUrl: string, email: string, password: string): Promise<BetterAuthSession> {
  const response = await callAuth(peerUrl, 'sign-in/email', { email, password });
  const { token } = (await response.json()) as { token?: unknown };
  if (typeof token !== 'string') throw new Error('better-auth sign-in answered no session token');
  return { cookie: cookieHeaderFrom(response), token };
}

/** Revokes the session (POST /api/auth/revoke-session, what `auth.api.revokeSession` serves), signed in as it. */
export async function revokeSession(peerUrl: string, session: BetterAuthSession): Promise<void> {
  await callAuth(peerUrl, 'revoke-session', { token: session.token }, session.cookie);
}

/** The headers of a request to the peer's POST /graphql: the browser's, with the session's cookies. */
export function sessionHeaders(session: BetterAuthSession): Record<string, string> {
  return { 'user-agent': BROWSER_USER_AGENT, cookie: session.cookie };
}
