import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import { killOnExit } from './children';

export interface Daemon {
  /** Signals it (`stopSignal`), waits for its exit, and removes its folder. Safe to call twice. */
  stop(): Promise<void>;
}

export interface DaemonOptions {
  /** For messages: "nginx", "pgbouncer". */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Its graceful stop: nginx's SIGQUIT, PgBouncer's SIGINT. */
  readonly stopSignal: NodeJS.Signals;
  /** Where it keeps its files: removed on stop. */
  readonly folder: string;
  /** Ready once this port accepts a TCP connection. */
  readonly port: number;
  /** Its own log so far, for a failed start's message. */
  readonly log: () => Promise<string>;
}

const START_TIMEOUT_MS = 10_000;

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Runs a Debian daemon (nginx, PgBouncer) in the foreground for a test or `npm run cluster`: it is
 * killed if this process exits first, and the start fails (stopping it) with its stderr and log when
 * it exits or does not listen on `port` within 10 s.
 */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const child: ChildProcess = spawn(options.command, [...options.args], { stdio: ['ignore', 'ignore', 'pipe'] });
  killOnExit(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(options.stopSignal);
      await exited;
    }
    await rm(options.folder, { recursive: true, force: true });
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await portAnswers(options.port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const why = `${options.name} ${child.exitCode !== null ? 'exited at start' : `did not listen on ${options.port}`}: ${stderr}\n${await options.log()}`;
      await stop();
      throw new Error(why);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { stop };
}
