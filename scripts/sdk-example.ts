/**
 * The SDK from Node: signs a user in (registering it the first time), then prints where it is
 * logged in. Against a running server (`npm start`):
 *
 *   npm run build && node dist/scripts/sdk-example.js [url] [email]
 *
 * url defaults to $GRAPHQL_URL or http://127.0.0.1:4000/graphql; email to alice@example.com.
 */
import { createClient, isBadUserInput, LoginDocument, MyLoginsDocument, RegisterDocument, type Client } from '../sdk';

const url = process.argv[2] ?? process.env['GRAPHQL_URL'] ?? 'http://127.0.0.1:4000/graphql';
const input = { email: process.argv[3] ?? 'alice@example.com', password: 'correct horse battery' };

/** Registers, or logs in when the email is already taken; returns a client signed in as that login. */
async function signIn(client: Client): Promise<Client> {
  try {
    const { register } = await client.request(RegisterDocument, { input });
    return client.withToken(register.token);
  } catch (error) {
    if (!isBadUserInput(error) || error.errors[0]?.extensions?.['field'] !== 'email') throw error;
    const { login } = await client.request(LoginDocument, { input });
    return client.withToken(login.token);
  }
}

async function main() {
  const device = await signIn(createClient({ url, headers: { 'user-agent': 'sdk-example/1.0 (Node.js)' } }));
  const { myLogins } = await device.request(MyLoginsDocument);
  console.log(`${input.email} is logged in ${myLogins.length} time(s), newest first:`);
  for (const login of myLogins) {
    const marker = login.current ? '* this one' : '';
    console.log(`  ${login.device.padEnd(28)} ${login.ipAddress.padEnd(15)} last seen ${login.lastSeenAt} ${marker}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exitCode = 1;
});
