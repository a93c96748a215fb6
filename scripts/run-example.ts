import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

/**
 * `npm run example`: the API server (compiled, on its embedded PostgreSQL unless DATABASE_URL is
 * set) and the React example's Vite dev server, which proxies /graphql to it. Ctrl-C stops both.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const SERVER_ENTRY = path.join(ROOT, 'dist', 'src', 'server.js');
const EXAMPLE = path.join(ROOT, 'examples', 'react-device-manager');

/** Echoes the server's log and resolves with the URL it logs once it serves GraphQL. */
function startApiServer(): { child: ChildProcess; url: Promise<string> } {
  // A process group of its own: Ctrl-C reaches only this script, which then stops the server once
  // and in order (HTTP drain, then the database) instead of racing the terminal's signal.
  const child = spawn(process.execPath, [SERVER_ENTRY], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = new Promise<string>((resolve, reject) => {
    for (const [input, output] of [[child.stdout!, process.stdout], [child.stderr!, process.stderr]] as const) {
      readline.createInterface({ input }).on('line', (line) => {
        output.write(`[api] ${line}\n`);
        const ready = /GraphQL server ready at (https?:\/\/[^\s"]+)/.exec(line);
        if (ready?.[1]) resolve(ready[1]);
      });
    }
    child.once('exit', (code) => reject(new Error(`the API server exited with code ${code} before it was ready`)));
  });
  return { child, url };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function main(): Promise<void> {
  const api = startApiServer();
  // Should this script die without its shutdown, the server must not outlive it.
  process.on('exit', () => api.child.kill('SIGTERM'));

  let closeVite: () => Promise<void> = async () => {};
  let stopping = false;
  const stop = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping the example and the API server…');
    await closeVite();
    api.child.kill('SIGTERM');
    await exited(api.child);
    process.exit(exitCode);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0));

  try {
    const apiUrl = await api.url;
    process.env['API_ORIGIN'] = new URL(apiUrl).origin;
    // Vite is an ES module; this script is compiled to CommonJS with the server.
    const { createServer } = await import('vite');
    const vite = await createServer({ configFile: path.join(EXAMPLE, 'vite.config.mts') });
    closeVite = () => vite.close();
    await vite.listen();
    const appUrl = vite.resolvedUrls?.local[0] ?? `http://127.0.0.1:${vite.config.server.port}/`;
    console.log(`\n  Device manager example: open ${appUrl}\n  GraphQL API: ${apiUrl}\n  Press Ctrl-C to stop both.\n`);
  } catch (error) {
    console.error('The example could not start:', error instanceof Error ? error.message : error);
    await stop(1);
  }
}

void main();
