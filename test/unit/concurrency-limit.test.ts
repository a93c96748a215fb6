import { describe, expect, it } from 'vitest';
import { concurrencyLimit } from '../../src/lib/concurrency-limit';

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('concurrencyLimit', () => {
  it('runs at most `limit` tasks at a time, the others in arrival order', async () => {
    const limit = concurrencyLimit(2);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    const results = gates.map((gate, index) =>
      limit(async () => {
        started.push(index);
        await gate.promise;
        return index;
      }),
    );
    await settle();
    expect(started).toEqual([0, 1]);
    gates[1]!.resolve();
    await settle();
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.resolve();
    gates[2]!.resolve();
    gates[3]!.resolve();
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3]);
  });

  it('frees the place of a task that fails, and passes its error on', async () => {
    const limit = concurrencyLimit(1);
    const failing = limit(() => Promise.reject(new Error('database unavailable')));
    const next = limit(async () => 'ran');
    await expect(failing).rejects.toThrow('database unavailable');
    expect(await next).toBe('ran');
  });
});
