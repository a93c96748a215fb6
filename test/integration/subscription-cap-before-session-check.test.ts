import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { useProxiedTestServer } from '../helpers/fixture';
import { registerUser } from '../helpers/operations';
import { wsUrlOf } from '../helpers/subscription-client';

const CAP = 3;
const FLOOD = 200;

const t = useProxiedTestServer({ MAX_SUBSCRIPTIONS_PER_USER: String(CAP) });

interface InitSocket {
  socket: WebSocket;
  acked: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  closeCode: number | null;
}

/** A bare graphql-transport-ws socket that sends connection_init with the token as soon as it opens. */
function connectionInit(token: string): InitSocket {
  const socket = new WebSocket(wsUrlOf(t.server.url), 'graphql-transport-ws');
  const init: InitSocket = {
    socket,
    closeCode: null,
    acked: new Promise((resolve) =>
      socket.on('message', (data) => {
        if ((JSON.parse(data.toString()) as { type: string }).type === 'connection_ack') resolve();
      }),
    ),
    closed: new Promise((resolve) =>
      socket.once('close', (code, reason) => {
        init.closeCode = code;
        resolve({ code, reason: reason.toString() });
      }),
    ),
  };
  socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
  socket.on('error', () => {});
  return init;
}

describe('the per-user connection cap holds before the session check', () => {
  it(`refuses connection_inits of one token beyond the cap with 4429 without asking the database; another user is acked`, async () => {
    const flooder = await registerUser(t.api);
    const bystander = await registerUser(t.api);

    // With the database silent, only a refusal that needs no database can arrive.
    t.proxy.hold();
    const flood = Array.from({ length: FLOOD }, () => connectionInit(flooder.token));
    await expect
      .poll(() => flood.filter((init) => init.closeCode === 4429).length, { timeout: 4_000, interval: 20 })
      .toBe(FLOOD - CAP);
    const refused = await Promise.all(flood.filter((init) => init.closeCode === 4429).map((init) => init.closed));
    expect(new Set(refused.map(({ reason }) => reason))).toEqual(new Set(['Too many subscriptions']));
    t.proxy.release();

    const other = connectionInit(bystander.token);
    await other.acked;
    expect(other.closeCode).toBeNull();

    for (const init of [...flood, other]) init.socket.close();
  });
});
