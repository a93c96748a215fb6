interface Waiter<V> {
  resolve(value: V | undefined): void;
  reject(error: unknown): void;
}

/**
 * Loads keys in batches: every key asked for during one turn of the event loop is loaded by one
 * call of `load`, made after that turn's I/O callbacks (setImmediate), so requests that arrived
 * together share one round trip. Nothing is cached: a key asked for after a batch has started goes
 * into the next one. A key asked for twice in one turn is loaded once, for both. At most `maxKeys`
 * keys go into one call; more start another batch at once.
 */
export function batchPerTick<K, V>(load: (keys: K[]) => Promise<ReadonlyMap<K, V>>, maxKeys: number): (key: K) => Promise<V | undefined> {
  let pending: Map<K, Waiter<V>[]> | undefined;

  const run = (batch: Map<K, Waiter<V>[]>) => {
    load([...batch.keys()]).then(
      (values) => {
        for (const [key, waiters] of batch) for (const waiter of waiters) waiter.resolve(values.get(key));
      },
      (error: unknown) => {
        for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(error);
      },
    );
  };

  const flush = () => {
    const batch = pending;
    pending = undefined;
    if (batch) run(batch);
  };

  return (key) =>
    new Promise<V | undefined>((resolve, reject) => {
      if (!pending) {
        pending = new Map();
        setImmediate(flush);
      }
      const waiters = pending.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else pending.set(key, [{ resolve, reject }]);
      if (pending.size >= maxKeys) flush();
    });
}
