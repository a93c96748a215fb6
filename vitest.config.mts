import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  // esbuild drops decorator metadata, which type-graphql and MikroORM read; SWC keeps it.
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    // One graphql module for everyone: the CommonJS build that Apollo Server and type-graphql load.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Type tests (*.test-d.ts) are checked by tsc, not run: a type error in one fails `vitest run`.
    typecheck: {
      enabled: true,
      include: ['test/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
    globalSetup: ['test/global-setup.ts'],
    // The test files mostly wait (on PostgreSQL, sockets, timers, a browser), so one worker per core,
    // not vitest's default of one fewer: on a 2-core machine that is 2 files at a time instead of 1.
    maxWorkers: Math.max(2, availableParallelism()),
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
