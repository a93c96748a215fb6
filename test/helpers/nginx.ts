import { describe } from 'vitest';
import { NGINX_PATH, nginxAvailable } from '../../scripts/cluster/run-nginx';

export { startNginx, type RunningNginx } from '../../scripts/cluster/run-nginx';

/** `describe` for tests that need nginx: where there is none, skipped with a banner rather than failed. */
export function describeWithNginx(name: string, body: () => void): void {
  const available = nginxAvailable();
  if (!available) console.warn(`\n*** NGINX TESTS SKIPPED: no nginx at ${NGINX_PATH} ("${name}"); apt-get install nginx ***\n`);
  describe.skipIf(!available)(name, body);
}
