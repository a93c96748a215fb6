import { startCluster, type Cluster } from '../../scripts/cluster/cluster';
import { nginxAvailable } from '../../scripts/cluster/run-nginx';
import { pgbouncerAvailable } from '../../scripts/cluster/run-pgbouncer';
import { cpuByCommand, cpuUsedBetween } from '../machine-cpu';
import { BENCH_JWT_SECRET, load, medianOf, post, row, ROUNDS, TABLE_HEAD, type BenchDatabase, type LoadResult } from '../lib';

const CONNECTIONS = 64;

/**
 * Scale-out: `{ me { id } }` through nginx and PgBouncer (transaction mode), with 1 and with 2
 * instances, each instance pinned to a core of its own (`taskset`); nginx, PgBouncer, PostgreSQL and
 * the load generator share the machine. Both clusters run on one database, the loads alternate.
 */
export async function clusterScaling(db: BenchDatabase): Promise<void> {
  console.log(`## Scale-out: 1 vs 2 instances behind nginx + PgBouncer (${CONNECTIONS} connections)\n`);
  if (!nginxAvailable() || !pgbouncerAvailable()) {
    console.log('skipped: needs Debian\'s nginx and pgbouncer (apt-get install nginx pgbouncer)\n');
    return;
  }
  const env = { JWT_SECRET: BENCH_JWT_SECRET, BCRYPT_COST: '12', LOG_LEVEL: 'info' };
  const clusters: Cluster[] = [];
  try {
    // One after the other: the second finds the database migrated.
    const one = await startCluster({ instances: 1, directUrl: db.url, env, pinInstances: true });
    clusters.push(one);
    const two = await startCluster({ instances: 2, directUrl: db.url, env, pinInstances: true });
    clusters.push(two);
    const registered = await post<{ register: { token: string } }>(
      one.url,
      'mutation($input: RegisterInput!) { register(input: $input) { token } }',
      { input: { email: 'cluster@example.com', password: 'correct horse battery' } },
    );
    const headers = { authorization: `Bearer ${registered.body.data!.register.token}` };
    const body = [JSON.stringify({ query: '{ me { id } }' })];
    const results: [LoadResult[], LoadResult[]] = [[], []];
    for (let round = 0; round < ROUNDS; round++) {
      results[0].push(await load(one.url, { connections: CONNECTIONS, headers, bodies: body }));
      results[1].push(await load(two.url, { connections: CONNECTIONS, headers, bodies: body }));
    }
    const ratios = results[0].map((result, index) => results[1][index]!.requestsPerSecond / result.requestsPerSecond).sort((a, b) => a - b);
    console.log(TABLE_HEAD);
    console.log(row('1 instance (core 0)', medianOf(results[0])));
    console.log(row('2 instances (cores 0, 1)', medianOf(results[1])));
    console.log(
      `\nratio 2 / 1 instances req/s: **${ratios[Math.floor(ratios.length / 2)]!.toFixed(2)}** (per round: ${ratios.map((ratio) => ratio.toFixed(2)).join(', ')})\n`,
    );
    // Where the machine's CPU goes per request, for each topology: what a second instance competes with.
    console.log('CPU per request, µs (one more run of each load, all processes of the machine):\n');
    console.log('| load | instances | nginx | PgBouncer | PostgreSQL | load generator | total |');
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
    for (const [name, cluster] of [['1 instance', one], ['2 instances', two]] as const) {
      const instancePids = new Set(cluster.instances.map((instance) => instance.pid));
      const before = cpuByCommand();
      const result = await load(cluster.url, { connections: CONNECTIONS, headers, bodies: body });
      const after = cpuByCommand();
      const used = cpuUsedBetween(before, after);
      let instances = 0;
      // Node's main thread names the process: its command reads MainThread, not node.
      const node = (readings: ReturnType<typeof cpuByCommand>) => readings.get('MainThread') ?? new Map<number, number>();
      for (const [pid, microseconds] of node(after)) {
        if (instancePids.has(pid)) instances += microseconds - (node(before).get(pid) ?? 0);
      }
      const perRequest = (microseconds: number) => (microseconds / result.completed).toFixed(0);
      const generator = (node(after).get(process.pid) ?? 0) - (node(before).get(process.pid) ?? 0);
      const parts = [instances, used.get('nginx') ?? 0, used.get('pgbouncer') ?? 0, used.get('postgres') ?? 0, generator];
      console.log(`| ${name} | ${parts.map(perRequest).join(' | ')} | ${perRequest(parts.reduce((sum, part) => sum + part, 0))} |`);
    }
    console.log('');
  } finally {
    for (const cluster of clusters) await cluster.stop();
  }
}
