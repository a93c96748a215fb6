/** setTimeout cannot wait longer than this (about 24.8 days); JWT_TTL may be longer. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export interface Cancellable {
  cancel(): void;
}

/** Calls `callback` at `at` (soon, if that has passed), however far off; the timer does not keep the process alive. */
export function runAt(at: Date, callback: () => void): Cancellable {
  let timer: NodeJS.Timeout;
  const arm = () => {
    const remaining = at.getTime() - Date.now();
    timer = setTimeout(remaining > MAX_TIMEOUT_MS ? arm : callback, Math.max(0, Math.min(remaining, MAX_TIMEOUT_MS)));
    timer.unref();
  };
  arm();
  return { cancel: () => clearTimeout(timer) };
}

/** Resolves after `ms`, without keeping the process alive. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
