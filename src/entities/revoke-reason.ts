import { registerEnumType } from 'type-graphql';

export enum RevokeReason {
  /** logoutDevice or logout */
  LOGOUT = 'LOGOUT',
  /** logoutAll */
  LOGOUT_ALL = 'LOGOUT_ALL',
  /** A newer login of the same user from the same IP address and user agent */
  REPLACED = 'REPLACED',
}

registerEnumType(RevokeReason, {
  name: 'RevokeReason',
  description: 'Why a login was revoked.',
  valuesConfig: {
    LOGOUT: { description: 'Revoked by logoutDevice or logout.' },
    LOGOUT_ALL: { description: 'Revoked by logoutAll.' },
    REPLACED: { description: 'A newer login of the same user from the same IP address and user agent replaced it.' },
  },
});
