import { LAST_SEEN_INTERVAL_MS } from '../limits';

/** The part of a login the idle rule reads. */
export interface IdleClock {
  readonly lastSeenAt: Date;
  /** The absolute end (the JWT's `exp`): sliding never goes past it. */
  readonly expiresAt: Date;
}

/**
 * SESSION_IDLE_TIMEOUT, built once from the configuration: when an unused login ends, and how often
 * its use is written down so that it can slide.
 *
 * `lastSeenAt` is written at most once an interval, so a login's last use can be up to an interval
 * later than its stored `lastSeenAt`. Its deadline therefore counts from `lastSeenAt + interval`: a
 * login is never ended before the timeout has passed since it was last used, and an unused one ends
 * at most an interval (a quarter of the timeout, at most 60 s) after the timeout.
 */
export interface IdleTimeout {
  /** False when SESSION_IDLE_TIMEOUT is 0: logins end only at their absolute expiry. */
  readonly enabled: boolean;
  /** How often a login's `lastSeenAt` is written at most: min(60 s, timeout / 4). */
  readonly lastSeenIntervalMs: number;
  /** When the login ends if it is not used from now on (never after its expiry); null when off. */
  deadlineOf(login: IdleClock): Date | null;
  /** Whether the login has been unused for longer than the timeout at `now`. */
  hasIdled(login: IdleClock, now: Date): boolean;
  /** An active login last seen before this instant has idled at `now` (what the sweep looks for). */
  idleBefore(now: Date): Date;
  /** How often the sweep looks for idle logins: a quarter of the timeout, from 1 s to 5 minutes. */
  readonly sweepIntervalMs: number;
}

const SWEEP_INTERVAL_BOUNDS_MS = { min: 1_000, max: 5 * 60_000 } as const;

export function idleTimeout(timeoutSeconds: number): IdleTimeout {
  const timeoutMs = timeoutSeconds * 1000;
  const enabled = timeoutMs > 0;
  const lastSeenIntervalMs = enabled ? Math.min(LAST_SEEN_INTERVAL_MS, Math.floor(timeoutMs / 4)) : LAST_SEEN_INTERVAL_MS;
  // The unused span after which a login has idled, counted from its stored lastSeenAt.
  const spanMs = timeoutMs + lastSeenIntervalMs;
  const idleAt = (login: IdleClock) => login.lastSeenAt.getTime() + spanMs;
  return {
    enabled,
    lastSeenIntervalMs,
    deadlineOf: (login) => (enabled ? new Date(Math.min(idleAt(login), login.expiresAt.getTime())) : null),
    hasIdled: (login, now) => enabled && idleAt(login) <= now.getTime(),
    idleBefore: (now) => new Date(now.getTime() - spanMs),
    sweepIntervalMs: Math.min(SWEEP_INTERVAL_BOUNDS_MS.max, Math.max(SWEEP_INTERVAL_BOUNDS_MS.min, Math.floor(timeoutMs / 4))),
  };
}
