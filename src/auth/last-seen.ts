export type LastSeenWriter = (loginId: string, seenAt: Date, intervalMs: number) => Promise<void>;

/**
 * Records activity off the request path, at most once an interval per login: the write is started,
 * not awaited, and a login with a write already in flight is skipped. `flush` lets shutdown wait
 * for pending writes.
 */
export class LastSeenRecorder {
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly write: LastSeenWriter,
    /** The idle timeout's write interval (IdleTimeout.lastSeenIntervalMs). */
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  record(session: { readonly loginId: string; readonly lastSeenAt: Date }, now: Date): void {
    if (now.getTime() - session.lastSeenAt.getTime() < this.intervalMs || this.inFlight.has(session.loginId)) return;
    const pending = this.write(session.loginId, now, this.intervalMs)
      .catch(this.onError)
      .finally(() => this.inFlight.delete(session.loginId));
    this.inFlight.set(session.loginId, pending);
  }

  async flush(): Promise<void> {
    await Promise.all(this.inFlight.values());
  }
}
