/**
 * What the domain tells the metrics (METRICS_PORT): built once in src/app.ts and handed to the
 * services that count, like the logger. Without METRICS_PORT it is NO_METRICS, which does nothing;
 * the Prometheus one is src/http/prometheus-metrics.ts. The gauges (open subscriptions, queued jobs)
 * are not told: they are read when scraped.
 */
export interface Meter {
  /** False for NO_METRICS: a caller may skip the measuring itself (the session check's clock reads). */
  readonly enabled: boolean;
  /** A sign-in or registration ended (login_activity_logins_total). */
  loginAttempt(result: LoginResult): void;
  /** A session check's verdict and how long it took (login_activity_session_checks_total, ..._duration_seconds). */
  sessionChecked(result: SessionCheckResult, seconds: number): void;
  /** `count` logins were revoked with `reason` (a RevokeReason), by a transaction that has committed. */
  revoked(reason: string, count: number): void;
}

/**
 * `success`: a login opened (a sign-in, or a registration, which opens the account's first login);
 * `failure`: a sign-in refused for wrong credentials; `throttled`: a sign-in or registration refused
 * for now by a rate limit (429) or the full bcrypt queue (503).
 */
export type LoginResult = 'success' | 'failure' | 'throttled';

/** The session check's SessionResult status. */
export type SessionCheckResult = 'valid' | 'anonymous' | 'rejected';

export const NO_METRICS: Meter = Object.freeze({
  enabled: false,
  loginAttempt: () => {},
  sessionChecked: () => {},
  revoked: () => {},
});
