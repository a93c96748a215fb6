import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second, the unit of /proc/<pid>/stat's times (100 on usual Linux builds). */
let ticksPerSecond: number | undefined;

function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  if (!Number.isFinite(ticksPerSecond) || ticksPerSecond <= 0) throw new Error(`getconf CLK_TCK gave ${ticksPerSecond}`);
  return ticksPerSecond;
}

/**
 * The CPU time (user + system, all its threads: the bcrypt workers too) a process has used so far,
 * in microseconds, from /proc/<pid>/stat. Linux only, as is the bench.
 */
export function processCpuMicroseconds(pid: number): number {
  return cpuMicrosecondsOf(`/proc/${pid}/stat`);
}

/**
 * The same for one thread of the process: its main thread (`tid` = `pid`) runs the event loop, the
 * bcrypt workers are threads of their own. Linux only.
 */
export function threadCpuMicroseconds(pid: number, tid: number = pid): number {
  return cpuMicrosecondsOf(`/proc/${pid}/task/${tid}/stat`);
}

function cpuMicrosecondsOf(statPath: string): number {
  const stat = readFileSync(statPath, 'utf8');
  // Field 2, the command name, is in parentheses and may hold spaces: count the fields after its `)`.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line; the rest starts at field 3.
  const ticks = Number(fields[14 - 3]) + Number(fields[15 - 3]);
  return (ticks / clockTicks()) * 1e6;
}
