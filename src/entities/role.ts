import { registerEnumType } from 'type-graphql';

/** What a user may do: every account is a USER; `npm run admin -- grant <email>` makes one an ADMIN. */
export enum Role {
  USER = 'USER',
  ADMIN = 'ADMIN',
}

registerEnumType(Role, {
  name: 'Role',
  description: 'What a user may do.',
  valuesConfig: {
    USER: { description: 'Every account: its own logins and security log.' },
    ADMIN: {
      description: 'Also any user\'s logins and security log (userByEmail, loginsOfUser, securityEventsOfUser, revokeLoginOfUser, revokeLoginsOfUser). Set with `npm run admin -- grant <email>`.',
    },
  },
});
