import 'reflect-metadata';
import { alerts } from './scenarios/alerts';
import { authOverhead } from './scenarios/auth-overhead';
import { clusterScaling } from './scenarios/cluster';
import { forwardAuth } from './scenarios/forward-auth';
import { liveActivity } from './scenarios/live-activity';
import { loginFlood } from './scenarios/login-flood';
import { peers } from './scenarios/peers';
import { lowCostEnumeration } from './scenarios/low-cost-enumeration';
import { historySize } from './scenarios/history-size';
import { silentOutage } from './scenarios/silent-outage';
import { loginStorm } from './scenarios/login-storm';
import { tableScale } from './scenarios/table-scale';
import { twoInstances } from './scenarios/two-instances';
import { websocketFlood } from './scenarios/websocket-flood';
import { createBenchDatabase, machine, ROUNDS, SECONDS } from './lib';

/**
 * `npm run bench`: the real server, spawned as `npm start` runs it, on a fresh database, driven
 * over HTTP by autocannon. Loads that are compared run alternately on the same server, several
 * rounds, and the median is reported, because a shared machine is noisy.
 * `npm run bench -- <auth|forward-auth|storm|flood|enumeration|scale|instances|live|ws-flood|history|outage|peers|alerts|cluster>` runs one scenario;
 * "peers" also runs better-auth and a lean server beside ours (bench/peers/, dev dependencies only).
 */
async function main() {
  const only = process.argv[2];
  const db = await createBenchDatabase();
  try {
    console.log('# login-activity benchmark\n');
    console.log(`machine: ${machine(db.admin)}`);
    console.log(`${ROUNDS} rounds × ${SECONDS} s per load, loads alternated, medians reported\n`);
    if (!only || only === 'auth') await authOverhead(db);
    if (!only || only === 'forward-auth') await forwardAuth(db);
    if (!only || only === 'storm') await loginStorm(db);
    if (!only || only === 'flood') await loginFlood(db);
    if (!only || only === 'enumeration') await lowCostEnumeration(db);
    if (!only || only === 'scale') await tableScale(db);
    if (!only || only === 'instances') await twoInstances(db);
    if (!only || only === 'live') await liveActivity(db);
    if (!only || only === 'ws-flood') await websocketFlood(db);
    if (!only || only === 'history') await historySize(db);
    if (!only || only === 'outage') await silentOutage(db);
    if (!only || only === 'peers') await peers(db);
    if (!only || only === 'alerts') await alerts(db);
    if (!only || only === 'cluster') await clusterScaling(db);
  } finally {
    await db.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
