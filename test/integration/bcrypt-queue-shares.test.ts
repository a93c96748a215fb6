import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { useTestServer } from '../helpers/fixture';
import { LOGIN, PASSWORD, registerUser, uniqueEmail } from '../helpers/operations';

// The bcrypt queue is bounded, with a share per account and per client IP: a flood from one source
// is refused with 503 + Retry-After while everyone else still signs in.
const t = useTestServer({
  // Slow enough that a flood's logins are still queued when the next ones arrive.
  BCRYPT_COST: '8',
  BCRYPT_WORKERS: '2',
  BCRYPT_QUEUE_LIMIT: '16',
  BCRYPT_QUEUE_PER_ACCOUNT: '2',
  BCRYPT_QUEUE_PER_IP: '4',
});

interface Answer {
  status: number;
  retryAfterHeader: string | undefined;
  body: { data?: unknown; errors?: Array<{ extensions?: { code?: string; retryAfter?: number } }> };
}

/** A login from the given loopback address, with the response's headers (the GraphQL client drops them). */
function logInFrom(localAddress: string, email: string): Promise<Answer> {
  const body = JSON.stringify({ query: LOGIN, variables: { input: { email, password: PASSWORD } } });
  return new Promise((resolve, reject) => {
    const request = http.request(
      t.server.url,
      { method: 'POST', headers: { 'content-type': 'application/json' }, localAddress, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            retryAfterHeader: response.headers['retry-after'],
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Answer['body'],
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * `loops` clients that each log in again as soon as answered, `rounds` times, the email chosen per
 * loop; resolves with every answer. `firstRefusal` settles at the first 503.
 */
function flood(localAddress: string, emailOfLoop: (loop: number) => string, loops: number, rounds: number) {
  let refused!: () => void;
  const firstRefusal = new Promise<void>((resolve) => (refused = resolve));
  const answers: Answer[] = [];
  const done = Promise.all(
    Array.from({ length: loops }, async (_, loop) => {
      for (let round = 0; round < rounds; round++) {
        const answer = await logInFrom(localAddress, emailOfLoop(loop));
        answers.push(answer);
        if (answer.status === 503) refused();
      }
    }),
  ).then(() => answers);
  return { firstRefusal, done };
}

function expectRefusalsWithRetryAfter(answers: Answer[]) {
  const refusals = answers.filter((answer) => answer.status === 503);
  expect(refusals.length).toBeGreaterThan(0);
  for (const refusal of refusals) {
    const error = refusal.body.errors?.[0];
    expect(error?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(error?.extensions?.retryAfter).toBeGreaterThanOrEqual(1);
    expect(refusal.retryAfterHeader).toBe(String(error?.extensions?.retryAfter));
  }
  // Every other answer is a login: the flood is under every rate limit, only the queue refuses it.
  for (const answer of answers.filter((answer) => answer.status !== 503)) {
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
  }
}

describe('the bcrypt queue', () => {
  it('refuses one account flooding it (45 logins in flight from one IP) with 503 and Retry-After, while another user signs in', async () => {
    const flooded = uniqueEmail('flood');
    const bystander = uniqueEmail('bystander');
    await registerUser(t.api, flooded);
    await registerUser(t.api, bystander);

    const { firstRefusal, done } = flood('127.0.10.2', () => flooded, 45, 3);
    await Promise.race([firstRefusal, done]);
    const bystanderLogin = await logInFrom('127.0.10.3', bystander);
    expectRefusalsWithRetryAfter(await done);
    expect(bystanderLogin.status).toBe(200);
    expect(bystanderLogin.body.errors).toBeUndefined();
  });

  it('refuses many accounts flooding it from one IP (5 accounts × 9 logins) beyond that IP’s share, while another user signs in', async () => {
    const accounts = Array.from({ length: 5 }, () => uniqueEmail('office-flood'));
    const bystander = uniqueEmail('bystander');
    for (const email of [...accounts, bystander]) await registerUser(t.api, email);

    const { firstRefusal, done } = flood('127.0.10.4', (loop) => accounts[loop % accounts.length]!, 45, 3);
    await Promise.race([firstRefusal, done]);
    const bystanderLogin = await logInFrom('127.0.10.5', bystander);
    expectRefusalsWithRetryAfter(await done);
    expect(bystanderLogin.status).toBe(200);
    expect(bystanderLogin.body.errors).toBeUndefined();
  });
});
