export interface Periodic {
  /** Stops the schedule and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `run` at once and then every `intervalMs`, never two runs at a time (a run still going when
 * the next is due makes that one skip). `run` handles its own errors.
 */
export function runPeriodically(run: () => Promise<void>, intervalMs: number): Periodic {
  let running: Promise<void> | null = null;
  const tick = () => {
    running ??= run().finally(() => (running = null));
  };
  tick();
  const timer = setInterval(tick, intervalMs).unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
