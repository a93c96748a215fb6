import type { AuthChecker } from 'type-graphql';
import type { Context } from './context.type';
import type { Role } from '../entities/role';
import { forbidden, loginRequired } from '../errors';

/**
 * `@Authorized()` operations need a valid session, `@Authorized(Role.ADMIN)` one whose user has that
 * role. The context builder has already checked the session and read the role with it.
 */
export const authChecker: AuthChecker<Context, Role> = ({ context }, roles) => {
  if (context.session === null) throw loginRequired();
  if (roles.length > 0 && !roles.includes(context.session.user.role)) throw forbidden();
  return true;
};
