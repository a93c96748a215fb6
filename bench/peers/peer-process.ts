import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { PEER_STATS_PATH, READY_LINE, type PeerStats } from './peer-http';

/** The peer servers that `npm run bench -- peers` runs next to ours, each a compiled file of this folder. */
export type PeerEntry = 'better-auth-server' | 'lean-server';

export interface PeerProcess {
  readonly child: ChildProcess;
  /** Its POST /graphql endpoint. */
  readonly url: string;
  /** How many queries it has sent so far (its pool's checkouts). */
  stats(): Promise<PeerStats>;
  stop(): Promise<void>;
}

/**
 * Starts a peer in its own process (so that the load generator does not share its CPU time), with
 * NODE_ENV=production as our server runs in the bench, and resolves once it prints where it listens.
 */
export function startPeer(entry: PeerEntry, env: Record<string, string>): Promise<PeerProcess> {
  // Compiled, this file is dist/bench/peers/peer-process.js, beside the peers' own files.
  const child = spawn(process.execPath, [path.join(__dirname, `${entry}.js`)], {
    env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    for (const stream of [child.stdout!, child.stderr!]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        output.push(line);
        if (!line.startsWith(READY_LINE)) return;
        const url = line.slice(READY_LINE.length);
        resolve({
          child,
          url,
          async stats() {
            const response = await fetch(new URL(PEER_STATS_PATH, url));
            return (await response.json()) as PeerStats;
          },
          async stop() {
            child.kill('SIGTERM');
            await exited;
          },
        });
      });
    }
    void exited.then((code) => reject(new Error(`peer ${entry} exited with ${code} before it was ready:\n${output.join('\n')}`)));
  });
}
