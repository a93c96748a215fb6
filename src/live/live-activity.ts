import type { Logger } from 'pino';
import { decodeNotice, LOGIN_ACTIVITY_CHANNEL } from '../auth/login-activity';
import type { Logins } from '../auth/logins';
import type { Sessions } from '../auth/sessions';
import type { SubscriptionConfig } from '../config';
import { ActivityListener, type ListenerState } from './activity-listener';
import { SubscriberHub } from './subscriber-hub';

export interface LiveActivityStatus {
  /** Whether login activity from the database reaches this instance's subscribers right now. */
  readonly events: ListenerState;
  readonly connections: number;
  readonly subscriptions: number;
}

export interface LiveActivity {
  readonly hub: SubscriberHub;
  status(): LiveActivityStatus;
  /** Stops listening and re-checking; the WebSocket server closes the sockets. */
  stop(): Promise<void>;
}

export interface LiveActivityOptions {
  /** The database to LISTEN on: the server's own, or LISTEN_DATABASE_URL. */
  readonly listenUrl: string;
  readonly sessions: Sessions;
  readonly logins: Logins;
  readonly config: Pick<SubscriptionConfig, 'maxPerUser' | 'recheckIntervalMs'>;
  readonly logger: Logger;
}

/**
 * Live login activity on this instance: the LISTEN connection feeds the hub, which tells the
 * subscribers. Sessions are checked again after every break of the LISTEN connection (whatever was
 * announced meanwhile is lost) and every SUBSCRIPTION_RECHECK_INTERVAL.
 */
export async function startLiveActivity(options: LiveActivityOptions): Promise<LiveActivity> {
  const { logger } = options;
  const hub = new SubscriberHub({
    maxPerUser: options.config.maxPerUser,
    sessions: options.sessions,
    logins: options.logins,
    logger,
  });

  const listener = new ActivityListener({
    url: options.listenUrl,
    channel: LOGIN_ACTIVITY_CHANNEL,
    logger,
    onNotification(payload) {
      const notice = decodeNotice(payload);
      if (notice) hub.receive(notice);
      else logger.warn('ignored a login activity notification in an unknown format');
    },
    onResumed() {
      void hub.recheckAll();
    },
  });
  await listener.start();
  const recheck = setInterval(() => void hub.recheckAll(), options.config.recheckIntervalMs).unref();

  return {
    hub,
    status: () => ({ events: listener.state, ...hub.counts() }),
    async stop() {
      clearInterval(recheck);
      await listener.stop();
    },
  };
}
