import type { MikroORM } from '@mikro-orm/postgresql';
import type { RequestHandler } from 'express';

/** 200 {"status":"ok"} while the database answers a query, else 503. */
export function healthHandler(orm: MikroORM): RequestHandler {
  return async (_req, res) => {
    const up = await orm.isConnected();
    res.status(up ? 200 : 503).json({ status: up ? 'ok' : 'unavailable' });
  };
}
