import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

/** The project root: the nearest folder above this file (in test/ or compiled in dist/test/) with a package.json. */
function projectRoot(): string {
  let folder = __dirname;
  while (!existsSync(path.join(folder, 'package.json'))) folder = path.dirname(folder);
  return folder;
}

const ENTRY = path.join(projectRoot(), 'dist', 'src', 'server.js');

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: string[];
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Runs the compiled server (`npm start` without the build), as an operator would. */
export function spawnServer(env: Record<string, string>, cwd: string): { child: ChildProcess; output: string[]; ready: Promise<ServerProcess>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [ENTRY], {
    cwd,
    // JSON lines, which the tests read, even where NODE_ENV (development by default) would make them pretty.
    env: { PATH: process.env['PATH'] ?? '', PORT: '0', BCRYPT_COST: '4', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = exitCode(child);
  const ready = new Promise<ServerProcess>((resolve, reject) => {
    for (const stream of [child.stdout!, child.stderr!]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        output.push(line);
        const url = /GraphQL server ready at (\S+)"/.exec(line)?.[1];
        if (url) {
          resolve({
            child,
            url,
            output,
            stop: (signal = 'SIGTERM') => {
              child.kill(signal);
              return exited;
            },
          });
        }
      });
    }
    exited.then((code) => reject(new Error(`server exited with ${code} before it was ready:\n${output.join('\n')}`)));
  });
  // A caller that only awaits `exited` (a server expected to refuse to start) must not see an unhandled rejection.
  ready.catch(() => {});
  return { child, output, ready, exited };
}
