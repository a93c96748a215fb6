import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { createOrmConfig } from '../mikro-orm.config';
import { createUsers } from './auth/users';
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db/database';
import { migrateExclusively } from './db/migrate';
import { Role } from './entities/role';
import { createLogger } from './logger';

const USAGE = `Usage: npm run admin -- grant <email>    make the user an administrator
       npm run admin -- revoke <email>   make the administrator a plain user again

Reads the same configuration as the server (DATABASE_URL, or the embedded database under .data/,
which it shares with a running server). The change applies from the user's next request.`;

const ROLE_OF_COMMAND = { grant: Role.ADMIN, revoke: Role.USER } as const;

type Command = keyof typeof ROLE_OF_COMMAND;
const isCommand = (word: string | undefined): word is Command => word === 'grant' || word === 'revoke';

/** Exit codes: 0 done (or nothing to change), 1 no such user or a failure, 2 wrong usage. */
async function main(args: readonly string[]): Promise<number> {
  const [command, email, ...rest] = args;
  if (!isCommand(command) || email === undefined || rest.length > 0) {
    console.error(USAGE);
    return 2;
  }
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return 1;
  }
  // Only problems: the answer is the line printed below.
  const logger = createLogger({ ...config, logLevel: 'warn' });
  const database = await openDatabase(config.database, logger, { shareRunning: true });
  try {
    // Straight to PostgreSQL, past any transaction pooler: the migrations' lock is a session's.
    const orm = await MikroORM.init(createOrmConfig(database.directUrl));
    try {
      await migrateExclusively(orm);
      const role = ROLE_OF_COMMAND[command];
      const changed = await createUsers(orm).setRole(email, role);
      if (!changed) {
        console.error(`No user has the email address ${email}.`);
        return 1;
      }
      console.log(
        changed.previous === role
          ? `${email} is already ${role === Role.ADMIN ? 'an administrator' : 'a plain user'}: nothing changed.`
          : `${email} is now ${role === Role.ADMIN ? 'an administrator (ADMIN)' : 'a plain user (USER)'}, from their next request.`,
      );
      return 0;
    } finally {
      await orm.close();
    }
  } finally {
    await database.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('admin:', error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
