import { describe, expect, it } from 'vitest';
import { useTestServer } from '../helpers/fixture';

/** The browser's request for /favicon.ico, which every page makes, is answered without an error status. */
describe('GET /favicon.ico with the playground on', () => {
  const t = useTestServer({ PLAYGROUND: 'true' });

  it('answers 204 No Content, cacheable, instead of 404', async () => {
    const response = await fetch(new URL('/favicon.ico', t.server.url), { headers: { accept: 'image/avif,image/webp,image/*,*/*;q=0.8' } });
    expect(response.status).toBe(204);
    expect(response.headers.get('cache-control')).toContain('max-age=');
    expect(await response.text()).toBe('');
  });
});

describe('GET /favicon.ico with the playground off', () => {
  const t = useTestServer({ PLAYGROUND: 'false' });

  it('is not found, like any other path', async () => {
    expect((await fetch(new URL('/favicon.ico', t.server.url))).status).toBe(404);
  });
});
