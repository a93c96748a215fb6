import type { MikroORM } from '@mikro-orm/postgresql';
import type { Role } from '../entities/role';
import { User } from '../entities/user.entity';
import { normalizeEmail } from './credentials';

/** Looking users up and setting their role: what administrators (and the admin CLI) do, built once. */
export interface Users {
  /** The user with this address, compared as registration stores it (trimmed, lower-cased); null if none or not an address. */
  findByEmail(email: string): Promise<User | null>;
  exists(userId: string): Promise<boolean>;
  /** Sets the role of the user with this address; null when there is none, else the role it had before. */
  setRole(email: string, role: Role): Promise<{ userId: string; previous: Role } | null>;
}

export function createUsers(orm: MikroORM): Users {
  return {
    async findByEmail(email) {
      const check = normalizeEmail(email);
      return check.ok ? orm.em.fork().findOne(User, { email: check.email }) : null;
    },

    async exists(userId) {
      return (await orm.em.fork().count(User, { id: userId })) > 0;
    },

    async setRole(email, role) {
      const check = normalizeEmail(email);
      if (!check.ok) return null;
      // The old value comes from the row as it was locked (`from users old`), in the same statement.
      const [row] = await orm.em.fork().execute<Array<{ id: string; previous: Role }>>(
        `update users set role = ? from users old
         where old.id = users.id and users.email = ?
         returning users.id, old.role as previous`,
        [role, check.email],
      );
      return row ? { userId: row.id, previous: row.previous } : null;
    },
  };
}
