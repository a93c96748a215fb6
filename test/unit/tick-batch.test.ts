import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { batchPerTick } from '../../src/lib/tick-batch';

function recordingLoader(fail = false) {
  const calls: string[][] = [];
  const load = batchPerTick(async (keys: string[]) => {
    calls.push(keys);
    if (fail) throw new Error('database gone');
    return new Map(keys.filter((key) => key !== 'missing').map((key) => [key, `value of ${key}`]));
  }, 3);
  return { calls, load };
}

describe('batchPerTick', () => {
  it('loads the keys asked for in one turn with one call, each key once, and answers every asker', async () => {
    const { calls, load } = recordingLoader();
    const answers = await Promise.all([load('a'), load('b'), load('a'), load('missing')]);
    // Three keys per call at most: the fourth distinct key would start another call.
    expect(calls).toEqual([['a', 'b', 'missing']]);
    expect(answers).toEqual(['value of a', 'value of b', 'value of a', undefined]);
  });

  it('never answers from an earlier call: a key asked for in a later turn is loaded again', async () => {
    const { calls, load } = recordingLoader();
    await load('a');
    await nextTurn();
    await load('a');
    expect(calls).toEqual([['a'], ['a']]);
  });

  it('starts another call once a batch holds the most keys one may', async () => {
    const { calls, load } = recordingLoader();
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((key) => load(key)));
    expect(calls).toEqual([['a', 'b', 'c'], ['d', 'e']]);
  });

  it('rejects every asker of a batch whose load failed', async () => {
    const { load } = recordingLoader(true);
    const results = await Promise.allSettled([load('a'), load('b'), load('a')]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
  });
});
