import { describe, expect, it } from 'vitest';
import { CHROME_MAC, FIREFOX_LINUX, useTestServer } from '../helpers/fixture';
import { logInUser, registerUser, uniqueEmail } from '../helpers/operations';
import { startTestServer } from '../helpers/test-server';

/**
 * Issue 17 (docs/scaling.md, connections): JOB_WORKER=false instances add jobs and run none, so they
 * open no job-queue connections; an instance with the worker delivers them.
 */
const t = useTestServer({ JOB_WORKER: 'false' });

const pendingJobs = async () => Number((await t.db.query<{ n: string }>('select count(*) as n from graphile_worker._private_jobs'))[0]!.n);

describe('JOB_WORKER=false', () => {
  it('queues a new-sign-in email on a fresh database (it installs the queue) but leaves it to an instance with the worker', async () => {
    const email = uniqueEmail('no-worker');
    await registerUser(t.api.withHeaders({ 'user-agent': FIREFOX_LINUX }), email);
    await logInUser(t.api.withHeaders({ 'user-agent': CHROME_MAC }), email);
    expect(await pendingJobs()).toBe(1);
    // A worker would take it within milliseconds of the commit's NOTIFY; nobody here does.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await pendingJobs()).toBe(1);

    const worker = await startTestServer(t.db.url);
    try {
      await expect.poll(pendingJobs, { timeout: 15_000, interval: 50 }).toBe(0);
    } finally {
      await worker.stop();
    }
  });
});
