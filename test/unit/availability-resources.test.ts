import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../src/db/availability';

const systemError = (code: string, syscall = 'connect') =>
  Object.assign(new Error(`${syscall} ${code}`), { code, errno: -24, syscall });

/** Passing conditions a client should retry (HTTP 503), never INTERNAL_SERVER_ERROR. */
describe('the database counts as unavailable', () => {
  it.each([
    ['out of file descriptors in this process (EMFILE)', systemError('EMFILE')],
    ['out of file descriptors on the system (ENFILE)', systemError('ENFILE')],
    ['EMFILE wrapped by a resolver', new GraphQLError('wrapped', { originalError: systemError('EMFILE') })],
    ['a cut transaction, as knex reports it', new Error('Transaction query already complete, run with DEBUG=knex:tx for more info')],
    ['a cut transaction, as Kysely reports it (rolled back)', new Error('Transaction is already rolled back')],
    ['a cut transaction, as Kysely reports it (committed)', new Error('Transaction is already committed')],
    ['a cut transaction wrapped by a resolver', new GraphQLError('wrapped', { originalError: new Error('Transaction query already complete') })],
  ])('when %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it('but not for another system error (a missing file is a bug)', () => {
    expect(isDatabaseUnavailable(systemError('ENOENT', 'open'))).toBe(false);
  });
});
