/**
 * The SDK's live client from Node: signs in, subscribes to loginActivity and prints one line per
 * event until this login is logged out (or Ctrl-C). Against a running server (`npm start`):
 *
 *   npm run build && node dist/scripts/sdk-live-example.js [url]
 *
 * url defaults to $GRAPHQL_URL or http://127.0.0.1:4000/graphql. It logs in as $EMAIL with
 * $PASSWORD, or registers a new demo user (printed, so you can log it in elsewhere) when EMAIL is unset.
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import {
  createClient,
  createLiveClient,
  isSessionEnded,
  LoginActivityDocument,
  LoginDocument,
  RegisterDocument,
  type LoginActivitySubscription,
} from '../sdk';

const url = process.argv[2] ?? process.env['GRAPHQL_URL'] ?? 'http://127.0.0.1:4000/graphql';
const api = createClient({ url, headers: { 'user-agent': 'sdk-live-example/1.0 (Node.js)' } });

async function signIn(): Promise<{ email: string; token: string }> {
  const email = process.env['EMAIL'];
  if (email) {
    const { login } = await api.request(LoginDocument, { input: { email, password: process.env['PASSWORD'] ?? '' } });
    return { email, token: login.token };
  }
  const input = { email: `demo-${randomBytes(4).toString('hex')}@example.com`, password: 'correct horse battery' };
  const { register } = await api.request(RegisterDocument, { input });
  console.log(`registered ${input.email} (password "${input.password}")`);
  return { email: input.email, token: register.token };
}

/** One line per event: when, what, which device (and why it was logged out), and whether it is this login. */
function describeEvent({ loginActivity: { kind, at, login } }: LoginActivitySubscription): string {
  const what = kind === 'REVOKED' ? `REVOKED (${login.revokedReason ?? 'expired'})` : kind;
  return `${at}  ${what.padEnd(21)} ${login.device.padEnd(24)} ${login.ipAddress.padEnd(15)} ${login.current ? 'this login' : ''}`.trimEnd();
}

async function main() {
  const { email, token } = await signIn();
  const live = createLiveClient({
    url,
    token,
    webSocketImpl: WebSocket,
    onConnected: ({ reconnected }) => console.log(reconnected ? 'reconnected (events meanwhile were missed)' : 'connected'),
  });
  process.once('SIGINT', () => void live.dispose());

  console.log(`${email}: listening for logins and logouts at ${live.url} (Ctrl-C to stop)`);
  try {
    for await (const event of live.subscribe(LoginActivityDocument)) console.log(describeEvent(event));
    console.log('stopped');
  } catch (error) {
    if (!isSessionEnded(error)) throw error;
    console.log(`this login was logged out: the server closed the socket with ${error.closeCode} (${error.reason}); log in again`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exitCode = 1;
});
