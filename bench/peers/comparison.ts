import { median, medianOf, type LoadResult } from '../lib';

/** One load of one server in one round, with the CPU time the server's process spent on it. */
export interface Sample {
  readonly result: LoadResult;
  readonly cpuMicrosecondsPerRequest: number;
}

/** A row of the comparison: one load, run once per round. */
export interface Series {
  readonly label: string;
  readonly samples: Sample[];
}

export const COMPARISON_HEAD = '| server | auth req/s | p50 | p99 | CPU per request | errors |\n| --- | --- | --- | --- | --- | --- |';

/** Microseconds, or milliseconds once a figure has five digits (a bcrypt-bound login). */
const cpuTime = (microseconds: number) =>
  microseconds >= 10_000 ? `${(microseconds / 1000).toFixed(0)} ms` : `${microseconds.toFixed(0)} µs`;

/** A row of medians over the rounds (errors summed), `unit` naming what req/s counts when it is not requests. */
export function comparisonRow(series: Series, unit = ''): string {
  const result = medianOf(series.samples.map((sample) => sample.result));
  const cpu = median(series.samples.map((sample) => sample.cpuMicrosecondsPerRequest));
  return `| ${series.label} | ${result.requestsPerSecond.toFixed(0)}${unit} | ${result.p50} ms | ${result.p99} ms | ${cpuTime(cpu)} | ${result.errors} |`;
}

/** A goal on a median over the rounds: `at least` for a throughput ratio, `at most` for a latency. */
export interface Goal {
  readonly label: string;
  /** One value per round. */
  readonly values: number[];
  readonly bound: 'at least' | 'at most';
  readonly target: number;
  /** How a value is printed: a ratio with two decimals unless told. */
  readonly format?: (value: number) => string;
}

export const GOALS_HEAD = '| measure (per round, median over rounds) | median | min–max | goal | |\n| --- | --- | --- | --- | --- |';

export function goalRow(goal: Goal): string {
  const format = goal.format ?? ((value: number) => value.toFixed(2));
  const value = median(goal.values);
  const met = goal.bound === 'at least' ? value >= goal.target : value <= goal.target;
  const range = `${format(Math.min(...goal.values))}–${format(Math.max(...goal.values))}`;
  return `| ${goal.label} | **${format(value)}** | ${range} | ${goal.bound === 'at least' ? '≥' : '≤'} ${format(goal.target)} | ${met ? 'met' : 'not met'} |`;
}

/** Our server's req/s over a peer's, round by round: both measured in the same round, under the same noise. */
export function ratiosPerRound(ours: Series, peer: Series): number[] {
  return ours.samples.map((sample, round) => sample.result.requestsPerSecond / peer.samples[round]!.result.requestsPerSecond);
}
