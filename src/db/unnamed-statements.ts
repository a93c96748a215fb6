import type { Pool, QueryConfig } from 'pg';

/**
 * The pool, with every named prepared statement sent unnamed. Behind a transaction pooler a named
 * statement is prepared on one server connection and run on another ("prepared statement ... does
 * not exist", or "... already exists"); an unnamed one is parsed and run in the same round trip, so
 * the session check stays one round trip. The rate limiter (rate-limiter-flexible) names its
 * statements itself, hence a wrapper rather than a change at each call.
 */
export function withUnnamedStatements(pool: Pool): Pool {
  const query = (config: unknown, ...rest: unknown[]) => {
    if (typeof config === 'object' && config !== null && 'name' in config) {
      const { name: _name, ...unnamed } = config as QueryConfig;
      return (pool.query as (...args: unknown[]) => unknown)(unnamed, ...rest);
    }
    return (pool.query as (...args: unknown[]) => unknown)(config, ...rest);
  };
  return new Proxy(pool, {
    get(target, property, receiver) {
      if (property === 'query') return query;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
