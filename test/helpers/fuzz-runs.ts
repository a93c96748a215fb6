/**
 * How many runs a fast-check property gets: `local` on a developer's machine, `ci` when CI=true
 * (CI has the time; a local `npm test` should not wait for it), or exactly FUZZ_RUNS when set.
 */
export function fuzzRuns(local: number, ci: number, env: NodeJS.ProcessEnv = process.env): number {
  const explicit = env['FUZZ_RUNS'];
  if (explicit !== undefined && explicit !== '') {
    const runs = Number(explicit);
    if (!Number.isInteger(runs) || runs < 1) throw new Error(`FUZZ_RUNS must be a positive integer, not ${JSON.stringify(explicit)}`);
    return runs;
  }
  return isCI(env) ? ci : local;
}

/** CI=true, as CI services and .ci/run set it (1 too; false, 0 or unset is not CI). */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  return ['true', '1'].includes((env['CI'] ?? '').toLowerCase());
}
