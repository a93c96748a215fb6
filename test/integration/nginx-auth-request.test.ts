import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { closedPort } from '../helpers/closed-port';
import { useTestServer } from '../helpers/fixture';
import { describeWithNginx, startNginx, type RunningNginx } from '../helpers/nginx';
import { LOGOUT, logInUser, registerUser, uniqueEmail } from '../helpers/operations';

/**
 * Issue 16: Debian's nginx with the documented `auth_request` file (deploy/nginx-auth-request.conf,
 * used as it is but for its addresses) in front of a small service of another team.
 */
const t = useTestServer();

const DOCUMENTED_CONFIG = path.resolve(__dirname, '../../deploy/nginx-auth-request.conf');

interface Seen {
  userId: string | undefined;
  loginId: string | undefined;
  role: string | undefined;
  authorization: string | undefined;
}

describeWithNginx('nginx auth_request in front of another service', () => {
  const seen: Seen[] = [];
  let upstream: http.Server;
  let nginx: RunningNginx | undefined;
  let proxyUrl: string;

  beforeAll(async () => {
    // The other service: answers with the identity nginx gave it.
    upstream = http.createServer((req, res) => {
      const header = (name: string) => req.headers[name] as string | undefined;
      seen.push({ userId: header('x-user-id'), loginId: header('x-login-id'), role: header('x-user-role'), authorization: header('authorization') });
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`hello ${header('x-user-id') ?? 'nobody'}`);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const upstreamPort = (upstream.address() as AddressInfo).port;
    const port = await closedPort();
    const documented = await readFile(DOCUMENTED_CONFIG, 'utf8');
    const config = documented
      .replace('server 127.0.0.1:4000;', `server ${new URL(t.server.url).host};`)
      .replace('server 127.0.0.1:8080;', `server 127.0.0.1:${upstreamPort};`)
      .replace('listen 127.0.0.1:8000;', `listen 127.0.0.1:${port};`);
    // Each address was found: the file the README shows is the one under test.
    expect(config.match(/127\.0\.0\.1:(4000|8080|8000);/g)).toBeNull();
    nginx = await startNginx(config, port);
    proxyUrl = `http://127.0.0.1:${port}`;
    seen.length = 0;
  }, 30_000);

  afterAll(async () => {
    await nginx?.stop();
    await new Promise((resolve) => upstream?.close(resolve));
  });

  const get = async (token?: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${proxyUrl}/orders/42`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
    return { status: response.status, text: await response.text() };
  };

  it('lets a live session through with its identity, and refuses the token on the next request once it is revoked', async () => {
    const email = uniqueEmail('nginx');
    const laptop = await registerUser(t.api.withHeaders({ 'user-agent': 'laptop/1' }), email);
    const phone = await logInUser(t.api.withHeaders({ 'user-agent': 'phone/1' }), email);

    // A client's own identity headers are replaced by the session's.
    expect(await get(phone.token, { 'x-user-id': 'someone-else', 'x-user-role': 'ADMIN' })).toEqual({ status: 200, text: `hello ${laptop.user.id}` });
    expect(seen.at(-1)).toEqual({ userId: laptop.user.id, loginId: phone.login.id, role: 'USER', authorization: `Bearer ${phone.token}` });

    await t.api.withToken(phone.token).ok(LOGOUT);
    const count = seen.length;
    expect((await get(phone.token)).status).toBe(401);
    // The other device goes on; the refused request never reached the service.
    expect((await get(laptop.token)).status).toBe(200);
    expect(seen.length).toBe(count + 1);
    expect(seen.at(-1)!.loginId).toBe(laptop.login.id);
  });

  it('refuses a request without a token, or with a bad one, before the service sees it', async () => {
    const count = seen.length;
    expect((await get()).status).toBe(401);
    expect((await get('not-a-jwt')).status).toBe(401);
    expect(seen.length).toBe(count);
    expect(await nginx!.errorLog()).not.toMatch(/\[(error|crit|alert|emerg)\]/);
  });
});
