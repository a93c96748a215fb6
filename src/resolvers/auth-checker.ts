import type { AuthChecker } from 'type-graphql';
import type { Context } from './context.type';
import { loginRequired } from '../errors';

/** `@Authorized()` operations need a valid session; the context builder has already checked it. */
export const authChecker: AuthChecker<Context> = ({ context }) => {
  if (context.session === null) throw loginRequired();
  return true;
};
