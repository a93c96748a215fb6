import { registerEnumType } from 'type-graphql';

export enum LoginActivityKind {
  /** A new login (login or register) */
  LOGIN = 'LOGIN',
  /** A login stopped being accepted: revoked, for any reason, or its token expired */
  REVOKED = 'REVOKED',
}

registerEnumType(LoginActivityKind, {
  name: 'LoginActivityKind',
  description: 'What happened to a login.',
  valuesConfig: {
    LOGIN: { description: 'A new login of yours (login or register), on any device.' },
    REVOKED: {
      description:
        'One of your logins stopped being accepted: logoutDevice, logout, logoutAll, REPLACED, LOGIN_LIMIT, or (for the login of this subscription only) its token expired.',
    },
  },
});
