import { useNow } from '../use-now';
import { useSecurityLog } from '../use-security-log';
import { SecurityEventItem } from './SecurityEventItem';

/**
 * "Recent security activity": the account's own log, newest first, a page at a time. It is fetched
 * again with the device list (on each live event, after the buttons and a password change), so a
 * sign-in elsewhere shows up here too without a click.
 */
export function SecurityActivity() {
  const log = useSecurityLog();
  const now = useNow(30_000);

  return (
    <section className="card" aria-labelledby="activity-title" aria-busy={log.loading}>
      <h2 id="activity-title">Recent security activity</h2>
      <p className="muted">Sign-ins, wrong passwords and sign-outs on your account, with where each came from.</p>

      {log.error && (
        <p className="error" role="alert">
          Could not load the activity: {log.error.message}
        </p>
      )}
      {log.events === null && log.loading && <p className="muted">Loading the activity…</p>}
      {log.events?.length === 0 && <p className="muted">Nothing yet.</p>}

      {log.events !== null && log.events.length > 0 && (
        <ul className="security-events" aria-labelledby="activity-title">
          {log.events.map((event) => (
            <SecurityEventItem key={event.id} event={event} now={now} />
          ))}
        </ul>
      )}

      {log.hasMore && (
        <button type="button" className="secondary" disabled={log.loadingMore} onClick={() => void log.showMore()}>
          {log.loadingMore ? 'Loading…' : 'Show more'}
        </button>
      )}
    </section>
  );
}
