import type { MikroORM } from '@mikro-orm/postgresql';
import type { RequestHandler } from 'express';
import type { ListenerState } from '../live/activity-listener';

/**
 * 200 {"status":"ok"} while the database answers a query, else 503. `events` says whether login
 * activity reaches subscribers (`listening`) or not for now (`reconnecting`); it never fails the
 * check, because everything but live events works without it and the server reconnects by itself.
 */
export function healthHandler(orm: MikroORM, events: () => ListenerState): RequestHandler {
  return async (_req, res) => {
    const up = await orm.isConnected();
    res.status(up ? 200 : 503).json({ status: up ? 'ok' : 'unavailable', events: events() });
  };
}
