import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const dist = fileURLToPath(new URL('../dist/playground', import.meta.url));

/** Builds the GraphiQL page that the server serves at GET /graphql (see src/http/playground.ts). */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Must match PLAYGROUND_ASSETS_PATH's parent in src/http/playground.ts.
  base: '/playground/',
  plugins: [react()],
  build: {
    outDir: dist,
    emptyOutDir: true,
    // Monaco and its workers are large by nature, and the file names are hashed so browsers cache them for good.
    chunkSizeWarningLimit: 8_000,
    // Source maps would double the bundle for a page nobody debugs in production.
    sourcemap: false,
    rolldownOptions: {
      // GraphiQL's React-compiler directives ("use no memo") are dropped by bundling, harmlessly; one warning each is noise.
      onLog(level, log, defaultHandler) {
        if (log.code !== 'MODULE_LEVEL_DIRECTIVE') defaultHandler(level, log);
      },
    },
  },
});
