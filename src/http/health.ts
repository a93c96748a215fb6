import type { MikroORM } from '@mikro-orm/postgresql';
import type { RequestHandler } from 'express';
import type { ListenerState } from '../live/activity-listener';

/**
 * 200 {"status":"ok"} while the database answers a query, else 503; 503 {"status":"stopping"} once the
 * server is shutting down. `events` says whether login activity reaches subscribers (`listening`) or
 * not for now (`reconnecting`); it never fails the check, because everything but live events works
 * without it and the server reconnects by itself.
 */
export function healthHandler(orm: MikroORM, events: () => ListenerState, stopping: () => boolean): RequestHandler {
  return async (_req, res) => {
    // First thing on SIGTERM, while everything else is still served: the balancer stops routing here.
    if (stopping()) {
      res.status(503).json({ status: 'stopping', events: events() });
      return;
    }
    const up = await orm.isConnected();
    res.status(up ? 200 : 503).json({ status: up ? 'ok' : 'unavailable', events: events() });
  };
}
