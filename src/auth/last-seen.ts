import { LAST_SEEN_INTERVAL_MS } from '../limits';

export function isLastSeenDue(lastSeenAt: Date, now: Date): boolean {
  return now.getTime() - lastSeenAt.getTime() >= LAST_SEEN_INTERVAL_MS;
}

export type LastSeenWriter = (loginId: string, seenAt: Date) => Promise<void>;

/**
 * Records activity off the request path: the write is started, not awaited, and a login
 * with a write already in flight is skipped. `flush` lets shutdown wait for pending writes.
 */
export class LastSeenRecorder {
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly write: LastSeenWriter,
    private readonly onError: (error: unknown) => void,
  ) {}

  record(session: { readonly loginId: string; readonly lastSeenAt: Date }, now: Date): void {
    if (!isLastSeenDue(session.lastSeenAt, now) || this.inFlight.has(session.loginId)) return;
    const pending = this.write(session.loginId, now)
      .catch(this.onError)
      .finally(() => this.inFlight.delete(session.loginId));
    this.inFlight.set(session.loginId, pending);
  }

  async flush(): Promise<void> {
    await Promise.all(this.inFlight.values());
  }
}
