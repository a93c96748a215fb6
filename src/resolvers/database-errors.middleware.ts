import type { MiddlewareFn } from 'type-graphql';
import { isDatabaseUnavailable } from '../db/availability';
import { serviceUnavailable } from '../errors';

/** Turns "the database cannot be reached" into the contract's SERVICE_UNAVAILABLE (HTTP 503). */
export const mapDatabaseUnavailable: MiddlewareFn = async (_, next) => {
  try {
    return await next();
  } catch (error) {
    if (isDatabaseUnavailable(error)) throw serviceUnavailable();
    throw error;
  }
};
