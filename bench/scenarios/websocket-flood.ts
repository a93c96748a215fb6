import WebSocket from 'ws';
import { load, median, medianOf, post, row, ROUNDS, TABLE_HEAD, startServer, type BenchDatabase, type LoadResult } from '../lib';

const PASSWORD = 'correct horse battery';
const REGISTER = 'mutation($input: RegisterInput!) { register(input: $input) { token } }';
const ME = JSON.stringify({ query: '{ me { id } }' });
/** The flooding user's sockets, each sending refused subscribes flat out and reconnecting when closed. */
const FLOOD_SOCKETS = 4;
/** Messages written per turn of the event loop by one flooding socket. */
const FLOOD_BATCH = 200;
const BYSTANDER_CONNECTIONS = 8;

async function register(url: string, email: string): Promise<string> {
  const response = await post<{ register: { token: string } }>(url, REGISTER, { input: { email, password: PASSWORD } });
  if (!response.body.data) throw new Error(`register failed: HTTP ${response.status} ${JSON.stringify(response.body.errors)}`);
  return response.body.data.register.token;
}

/** One attacker socket: connection_init, then refused subscribes (a query) as fast as it can write them. */
function floodingSocket(url: string, token: string, stats: { sent: number; closes: Map<number, number> }, stopped: () => boolean) {
  const connect = () => {
    if (stopped()) return;
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    let id = 0;
    socket.on('error', () => {});
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    // graphql-ws closes a socket that subscribes before its acknowledgement (4401).
    socket.once('message', () => {
      const pump = () => {
        if (socket.readyState !== WebSocket.OPEN || stopped()) return;
        for (let index = 0; index < FLOOD_BATCH; index++) {
          socket.send(JSON.stringify({ id: String(id++), type: 'subscribe', payload: { query: '{ me { id } }' } }));
          stats.sent += 1;
        }
        setImmediate(pump);
      };
      pump();
    });
    socket.on('close', (code) => {
      stats.closes.set(code, (stats.closes.get(code) ?? 0) + 1);
      setTimeout(connect, 10);
    });
    return socket;
  };
  connect();
}

/**
 * Issue 12 item 7: a bystander's `me` over HTTP while one signed-in user floods the server with
 * WebSocket messages (refused subscribes), against the same load with no flood. Goal: p99 ≤ 2× idle.
 */
export async function websocketFlood(db: BenchDatabase): Promise<void> {
  const server = await startServer(db.url);
  try {
    const bystander = await register(server.url, `bystander-${Date.now()}@example.com`);
    const flooder = await register(server.url, `flooder-${Date.now()}@example.com`);
    const read = (): Promise<LoadResult> =>
      load(server.url, { connections: BYSTANDER_CONNECTIONS, headers: { authorization: `Bearer ${bystander}` }, bodies: [ME] });

    const idle: LoadResult[] = [];
    const flood: LoadResult[] = [];
    const stats = { sent: 0, closes: new Map<number, number>() };
    const floodSeconds: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      idle.push(await read());
      let stop = false;
      const before = stats.sent;
      const started = performance.now();
      for (let socket = 0; socket < FLOOD_SOCKETS; socket++) floodingSocket(server.url, flooder, stats, () => stop);
      flood.push(await read());
      stop = true;
      floodSeconds.push(((stats.sent - before) / (performance.now() - started)) * 1000);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const withoutFlood = medianOf(idle);
    const duringFlood = medianOf(flood);
    console.log(`## WebSocket message flood: bystander \`me\` over HTTP (${BYSTANDER_CONNECTIONS} connections) while one user's ${FLOOD_SOCKETS} sockets send refused subscribes flat out\n`);
    console.log(TABLE_HEAD);
    console.log(row('idle (no flood)', withoutFlood));
    console.log(row('during the flood', duringFlood));
    const closes = [...stats.closes].map(([code, count]) => `${code} × ${count}`).join(', ');
    console.log(`\nflood: ${median(floodSeconds).toFixed(0)} messages/s written by the client (median of rounds); server closes: ${closes || 'none'}`);
    console.log(`\nbystander HTTP p99 during the flood / idle: **${(duringFlood.p99 / withoutFlood.p99).toFixed(2)}×** (goal ≤ 2×)\n`);
  } finally {
    await server.stop();
  }
}
