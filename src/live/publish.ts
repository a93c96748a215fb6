import type { EntityManager } from '@mikro-orm/postgresql';
import { encodeNotice, LOGIN_ACTIVITY_CHANNEL, type LoginActivityNotice } from './login-activity-notice';

/**
 * Sends the notice to every server instance, on the caller's EntityManager. Called inside the
 * transaction of the change: PostgreSQL delivers a NOTIFY only when its transaction commits, so
 * subscribers never hear of a change that was rolled back, and always hear of one that was not.
 */
export async function publishLoginActivity(em: EntityManager, notice: LoginActivityNotice): Promise<void> {
  const payloads = encodeNotice(notice);
  if (payloads.length === 0) return;
  // One statement for every chunk, so a logoutAll of many logins costs one round trip.
  const rows = payloads.map(() => '(?)').join(', ');
  await em.execute(`select pg_notify('${LOGIN_ACTIVITY_CHANNEL}', payload) from (values ${rows}) as notices (payload)`, payloads);
}
