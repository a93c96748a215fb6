import { ConnectionException, DriverException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../src/db/availability';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a MikroORM connection exception', new ConnectionException(new Error('connect ECONNREFUSED'))],
    ['a refused socket', pgError('ECONNREFUSED')],
    ['a reset socket', pgError('ECONNRESET')],
    ['a connection exception (08006)', pgError('08006')],
    ['too many connections (53300)', pgError('53300')],
    ['a database not accepting connections (55000)', new DriverException(pgError('55000', 'database "x" is not currently accepting connections'))],
    ['an administrator shutdown (57P01)', pgError('57P01')],
    ['a statement timeout (57014)', pgError('57014')],
    ['a missing database (3D000)', pgError('3D000')],
    ['a refused password (28P01)', pgError('28P01')],
    ['a pool timeout', new Error('timeout exceeded when trying to connect')],
    ['a connect timeout (pg: connectionTimeoutMillis)', new Error('timeout expired')],
    ['a query on a connection already closed', new Error('Client was closed and is not queryable')],
    ['a client-side query timeout', new Error('Query read timeout')],
    ['a connection ended under a query', new Error('Connection terminated unexpectedly')],
    ['any of those wrapped by a resolver', new GraphQLError('wrapped', { originalError: pgError('57P01') })],
  ])('is true for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', new UniqueConstraintViolationException(pgError('23505'))],
    ['a syntax error', pgError('42601')],
    ['a missing table (a bug, not an outage)', pgError('42P01')],
    ['a plain bug', new TypeError('undefined is not a function')],
    ['not an error at all', 'nope'],
  ])('is false for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
