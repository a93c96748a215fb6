import { readdirSync, readFileSync } from 'node:fs';
import { processCpuMicroseconds } from './process-cpu';

/** CPU time so far of every process on the machine, by the name it runs as (nginx, pgbouncer, postgres, node ...), in µs. */
export function cpuByCommand(): Map<string, Map<number, number>> {
  const byCommand = new Map<string, Map<number, number>>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const processes = byCommand.get(command) ?? new Map<number, number>();
      processes.set(pid, processCpuMicroseconds(pid));
      byCommand.set(command, processes);
    } catch {
      // The process ended while the list was read.
    }
  }
  return byCommand;
}

/** The CPU each command used between two readings (processes that started or ended in between count from 0 / to their last reading). */
export function cpuUsedBetween(before: ReturnType<typeof cpuByCommand>, after: ReturnType<typeof cpuByCommand>): Map<string, number> {
  const used = new Map<string, number>();
  for (const [command, processes] of after) {
    let total = 0;
    for (const [pid, microseconds] of processes) total += microseconds - (before.get(command)?.get(pid) ?? 0);
    used.set(command, total);
  }
  return used;
}
