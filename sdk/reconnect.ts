/** The first reconnection comes this soon at the latest: a server restarting behind a balancer (1001) has a live neighbour. */
export const FIRST_RECONNECT_MAX_MS = 500;
const FIRST_RECONNECT_MIN_MS = 100;
const LONGEST_RECONNECT_MS = 30_000;

/**
 * How long a live client waits before reconnection number `retries` + 1 (graphql-ws counts from 0):
 * 100–500 ms the first time, then 1 s, 2 s, 4 s ... up to 30 s, each plus up to half of it at random.
 * A rolling restart closes a server's sockets with 1001; they come back on another instance within
 * half a second, spread out rather than all at once. A server that stays away is not hammered.
 */
export function reconnectDelayMs(retries: number, random: () => number = Math.random): number {
  if (retries <= 0) return FIRST_RECONNECT_MIN_MS + random() * (FIRST_RECONNECT_MAX_MS - FIRST_RECONNECT_MIN_MS);
  const base = Math.min(1_000 * 2 ** (retries - 1), LONGEST_RECONNECT_MS);
  return base + random() * (base / 2);
}

/** graphql-ws' `retryWait` with reconnectDelayMs. */
export function waitToReconnect(retries: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, reconnectDelayMs(retries)));
}
