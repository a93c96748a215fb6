import { TcpProxy } from '../../test/helpers/tcp-proxy';
import { post, startServer, type BenchDatabase } from '../lib';

/** Longer than the query timeout (5 s), so requests time out on connections that still owe an answer. */
const HOLD_MS = 7_000;
const CLIENTS = 8;
const ROUNDS = 3;

/**
 * Scenario: a database that stops answering without closing its connections (the TCP proxy holds
 * every byte, then delivers it late), under 8 clients of `me`. Prints what the clients got while it
 * was silent and how long after it answered again the server served them (goal: 2 s).
 */
export async function silentOutage(db: BenchDatabase): Promise<void> {
  const proxy = await TcpProxy.inFrontOf(db.url);
  const server = await startServer(proxy.proxiedUrl(db.url));
  try {
    const registered = await post<{ register: { token: string } }>(
      server.url,
      'mutation($input: RegisterInput!) { register(input: $input) { token } }',
      { input: { email: 'outage@example.com', password: 'correct horse battery' } },
    );
    const headers = { authorization: `Bearer ${registered.body.data!.register.token}` };
    const me = () => post(server.url, '{ me { id } }', {}, headers);

    console.log(`## Silent database outage (${HOLD_MS / 1000} s held, ${CLIENTS} clients of \`me\`)\n`);
    console.log('| round | answers while silent | of them 503 | 500 or other | served again after the release (ms) | failures in the next 200 requests |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (let round = 1; round <= ROUNDS; round++) {
      let holding = true;
      const during: number[] = [];
      proxy.hold();
      const clients = Array.from({ length: CLIENTS }, async () => {
        while (holding) {
          const { status } = await me();
          if (holding) during.push(status);
        }
      });
      await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
      holding = false;
      const releasedAt = performance.now();
      proxy.release();
      while ((await me()).status !== 200) await new Promise((resolve) => setTimeout(resolve, 10));
      const recoveryMs = performance.now() - releasedAt;
      await Promise.all(clients);
      let failures = 0;
      for (let request = 0; request < 200; request++) if ((await me()).status !== 200) failures += 1;
      const unavailable = during.filter((status) => status === 503).length;
      console.log(`| ${round} | ${during.length} | ${unavailable} | ${during.length - unavailable} | ${recoveryMs.toFixed(0)} | ${failures} |`);
    }
    console.log('');
  } finally {
    proxy.release();
    await server.stop();
    await proxy.cut();
  }
}
