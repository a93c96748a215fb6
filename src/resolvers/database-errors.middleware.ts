import type { MiddlewareFn } from 'type-graphql';
import { unavailableOr } from '../db/availability';
import type { Context } from './context.type';

/**
 * Turns "the database cannot be reached" into the contract's SERVICE_UNAVAILABLE (HTTP 503).
 * Put on each resolver class rather than globally: a global middleware wraps every scalar field too.
 */
export const mapDatabaseUnavailable: MiddlewareFn<Context> = async ({ context }, next) => {
  try {
    return await next();
  } catch (error) {
    throw unavailableOr(error, context.log);
  }
};
