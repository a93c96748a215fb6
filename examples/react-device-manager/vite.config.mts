import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The API the dev server forwards /graphql to. `npm run example` sets API_ORIGIN to the server it
 * started; by hand, run `npm start` first and it is the default below.
 */
const apiOrigin = process.env['API_ORIGIN'] ?? 'http://127.0.0.1:4000';
// ws: the live device list subscribes over a WebSocket on the same path.
const proxy = { '/graphql': { target: apiOrigin, ws: true } };

export default defineConfig({
  // Builds started from another folder (the browser test, the root script) still find index.html.
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  server: { host: '127.0.0.1', port: 5173, proxy },
  preview: { host: '127.0.0.1', port: 4173, proxy },
});
