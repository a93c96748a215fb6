import pg from 'pg';
import type { Logger } from 'pino';
import { DATABASE_TIMEOUTS_MS } from '../limits';

/** `reconnecting`: LISTEN is down and notifications sent meanwhile are lost (see onResumed). */
export type ListenerState = 'connecting' | 'listening' | 'reconnecting' | 'stopped';

export interface ListenerOptions {
  readonly url: string;
  readonly channel: string;
  readonly logger: Logger;
  onNotification(payload: string): void;
  /**
   * LISTEN works again after a break. Whatever was sent during the break is lost for good
   * (PostgreSQL keeps notifications only for sessions listening at commit time), so the caller must
   * catch up from the database.
   */
  onResumed(): void;
}

/** Reconnection waits 100 ms, then twice as long after each failure, up to 5 s, with ±20 % jitter. */
const BACKOFF = { firstMs: 100, maxMs: 5_000, jitter: 0.2 } as const;
/**
 * A dropped TCP connection is noticed at once (the socket errors), but a network that silently
 * swallows packets is not: a query every few seconds with a timeout notices that too.
 */
const HEARTBEAT = { everyMs: 10_000, timeoutMs: DATABASE_TIMEOUTS_MS.query } as const;

function backoffDelay(failures: number): number {
  const base = Math.min(BACKOFF.maxMs, BACKOFF.firstMs * 2 ** failures);
  return Math.round(base * (1 - BACKOFF.jitter + Math.random() * 2 * BACKOFF.jitter));
}

/**
 * The one PostgreSQL session of this instance that LISTENs for login activity. A LISTEN belongs to a
 * session, so it cannot live on the ORM's pooled connections; it has a connection of its own, which
 * it re-opens by itself, with backoff, whenever it is lost.
 */
export class ActivityListener {
  private client: pg.Client | null = null;
  private current: ListenerState = 'connecting';
  private failures = 0;
  private retry: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly options: ListenerOptions) {}

  get state(): ListenerState {
    return this.current;
  }

  /** Resolves once the first attempt has settled; after a failed one it keeps trying in the background. */
  async start(): Promise<void> {
    this.heartbeat = setInterval(() => void this.checkConnection(), HEARTBEAT.everyMs).unref();
    await this.connect();
  }

  async stop(): Promise<void> {
    this.current = 'stopped';
    clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const { url, channel, logger } = this.options;
    const client = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: DATABASE_TIMEOUTS_MS.connect,
      query_timeout: HEARTBEAT.timeoutMs,
      keepAlive: true,
      application_name: 'login-activity listener',
    });
    this.client = client;
    // Kept for the client's whole life: an 'error' event without a listener would crash the process.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('the LISTEN connection ended')));
    client.on('notification', (message) => {
      if (client === this.client && message.channel === channel && message.payload !== undefined) {
        this.options.onNotification(message.payload);
      }
    });

    try {
      await client.connect();
      await client.query(`listen ${channel}`);
    } catch (error) {
      this.lost(client, error);
      return;
    }
    if (client !== this.client) return;

    const afterBreak = this.failures > 0;
    this.failures = 0;
    this.current = 'listening';
    logger.info({ channel }, afterBreak ? 'listening for login activity again' : 'listening for login activity');
    if (afterBreak) this.options.onResumed();
  }

  private lost(client: pg.Client, error: unknown): void {
    if (client !== this.client) return;
    this.client = null;
    void client.end().catch(() => {});
    if (this.current === 'stopped') return;

    const delayMs = backoffDelay(this.failures);
    this.failures += 1;
    this.current = 'reconnecting';
    this.options.logger.warn(
      { err: error, retryInMs: delayMs, failures: this.failures },
      'lost the LISTEN connection: subscribers get no events until it is back',
    );
    this.retry = setTimeout(() => void this.connect(), delayMs);
  }

  private async checkConnection(): Promise<void> {
    const client = this.client;
    if (!client || this.current !== 'listening') return;
    try {
      await client.query('select 1');
    } catch (error) {
      this.lost(client, error);
    }
  }
}
