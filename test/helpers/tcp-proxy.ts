import net from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL that a test can cut (every connection dropped, new ones
 * refused), cut at the moment a given statement goes through, freeze (connections stay open but
 * nothing gets through, and what was sent is lost), or hold (connections stay open and nothing is
 * answered, but nothing is lost either: what was sent arrives when the hold ends, as TCP delivers
 * it late across a network that stalled); and then restore.
 */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private frozen = false;
  /** While holding: the writes not yet delivered, in order, to be flushed on release. */
  private held: Array<() => void> | null = null;
  private tripwire: { pattern: RegExp; tripped: () => void } | undefined;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** A started proxy in front of the server of `databaseUrl`; `proxiedUrl(databaseUrl)` goes through it. */
  static async inFrontOf(databaseUrl: string): Promise<TcpProxy> {
    const target = new URL(databaseUrl);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
    return proxy;
  }

  async start(): Promise<void> {
    const server = net.createServer((client) => this.relay(client));
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  private relay(client: net.Socket): void {
    if (this.held) {
      // Accepted, and connected upstream only when the hold ends, like a SYN that gets through late.
      client.pause();
      this.held.push(() => {
        client.resume();
        this.relay(client);
      });
      this.track(client, () => client.destroy());
      return;
    }
    if (this.frozen) {
      // A partition: the connection is accepted and then nothing ever answers.
      this.track(client, () => client.destroy());
      return;
    }
    const upstream = net.connect(this.targetPort, this.targetHost);
    // As PostgreSQL and node-postgres set on their own sockets: without it, Nagle's algorithm holds a
    // small packet (a notification) behind an unacknowledged one, and the proxy adds delays of its own.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    this.track(client, closeBoth);
    this.track(upstream, closeBoth);
    client.on('data', (chunk: Buffer) => {
      if (this.frozen) return;
      const tripwire = this.tripwire;
      if (tripwire && tripwire.pattern.test(chunk.toString('latin1'))) {
        this.tripwire = undefined;
        // The statement never reaches the database: the connection dies as it is sent.
        void this.cut().then(tripwire.tripped);
        return;
      }
      this.deliver(() => upstream.write(chunk));
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!this.frozen) this.deliver(() => client.write(chunk));
    });
  }

  /** When either side of a relayed connection ends or fails, the other is closed too. */
  private track(socket: net.Socket, closeBoth: () => void): void {
    this.sockets.add(socket);
    socket.on('close', () => {
      this.sockets.delete(socket);
      closeBoth();
    });
    socket.on('error', closeBoth);
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Cuts everything when a client sends a packet matching `pattern`; resolves once it has. */
  cutWhenSent(pattern: RegExp): Promise<void> {
    return new Promise((tripped) => {
      this.tripwire = { pattern, tripped };
    });
  }

  private deliver(write: () => void): void {
    if (this.held) this.held.push(write);
    else write();
  }

  /** Keeps connections open and answers nothing, losing nothing: `release` delivers it all, in order. */
  hold(): void {
    this.held ??= [];
  }

  /** Ends a hold: everything sent meanwhile goes through, and the proxy forwards as before. */
  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const write of held) write();
  }

  /** Keeps connections open but lets nothing through, in either direction. */
  freeze(): void {
    this.frozen = true;
  }

  /** Undoes cut or freeze: listens again on the same port and forwards again. */
  async restore(): Promise<void> {
    if (this.frozen) {
      // Connections that lived through the freeze have lost bytes: they cannot carry on.
      this.frozen = false;
      for (const socket of this.sockets) socket.destroy();
    }
    if (!this.server) await this.start();
  }

  /** The URL of `databaseUrl` rerouted through this proxy. */
  proxiedUrl(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }
}
