import { registerEnumType } from 'type-graphql';
import { DEFAULT_MAX_ACTIVE_LOGINS } from '../config';

export enum RevokeReason {
  /** logoutDevice or logout */
  LOGOUT = 'LOGOUT',
  /** logoutAll */
  LOGOUT_ALL = 'LOGOUT_ALL',
  /** A newer login of the same user from the same IP address and user agent */
  REPLACED = 'REPLACED',
  /** The user went over MAX_ACTIVE_LOGINS active logins: the oldest are revoked */
  LOGIN_LIMIT = 'LOGIN_LIMIT',
  /** changePassword with logoutOtherDevices: the user's other logins */
  PASSWORD_CHANGED = 'PASSWORD_CHANGED',
  /** Unused for longer than SESSION_IDLE_TIMEOUT */
  IDLE_TIMEOUT = 'IDLE_TIMEOUT',
  /** The "this wasn't me" link of a new-sign-in email */
  NOT_ME = 'NOT_ME',
  /** revokeLoginOfUser or revokeLoginsOfUser, by an administrator */
  ADMIN = 'ADMIN',
}

registerEnumType(RevokeReason, {
  name: 'RevokeReason',
  description: 'Why a login was revoked.',
  valuesConfig: {
    LOGOUT: { description: 'Revoked by logoutDevice or logout.' },
    LOGOUT_ALL: { description: 'Revoked by logoutAll.' },
    REPLACED: { description: 'A newer login of the same user from the same IP address and user agent replaced it.' },
    LOGIN_LIMIT: {
      description: `The user went over the limit of active logins (MAX_ACTIVE_LOGINS, default ${DEFAULT_MAX_ACTIVE_LOGINS}); the oldest are revoked first.`,
    },
    PASSWORD_CHANGED: { description: 'The password was changed on another login, with logoutOtherDevices: true.' },
    IDLE_TIMEOUT: { description: 'Not used for longer than SESSION_IDLE_TIMEOUT (default 14 days).' },
    NOT_ME: { description: 'Revoked from the "this wasn\'t me" link of a new-sign-in email.' },
    ADMIN: { description: 'Revoked by an administrator (revokeLoginOfUser, revokeLoginsOfUser).' },
  },
});
