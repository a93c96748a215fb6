import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startCluster } from './cluster';
import { nginxAvailable } from './run-nginx';
import { pgbouncerAvailable } from './run-pgbouncer';

/**
 * `npm run cluster`: the tested topology on this machine, to try it: INSTANCES (default 2) servers
 * behind nginx on CLUSTER_PORT (default 8080), PgBouncer in transaction mode for their
 * DATABASE_URL, LISTEN_DATABASE_URL straight to PostgreSQL. CLUSTER_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/login_activity_cluster) is created when missing. Ctrl-C stops it all.
 */
async function main(): Promise<void> {
  if (!nginxAvailable() || !pgbouncerAvailable()) {
    console.error("npm run cluster needs Debian's nginx and pgbouncer: apt-get install nginx pgbouncer");
    process.exit(1);
  }
  const instances = Number(process.env['INSTANCES'] ?? 2);
  if (!Number.isInteger(instances) || instances < 1 || instances > 64) throw new Error(`INSTANCES must be 1 to 64, got ${process.env['INSTANCES']}`);
  const directUrl = process.env['CLUSTER_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/login_activity_cluster';
  await createDatabaseIfMissing(directUrl);
  // One secret for every instance, so a token from one is good on all; a new one each run unless given.
  const jwtSecret = process.env['JWT_SECRET'] ?? randomBytes(32).toString('base64url');
  const cluster = await startCluster({ instances, directUrl, port: Number(process.env['CLUSTER_PORT'] ?? 8080), env: { JWT_SECRET: jwtSecret } });
  console.log(`GraphQL through nginx: ${cluster.url}`);
  for (const instance of cluster.instances) console.log(`instance ${instance.index}: ${instance.url}, DATABASE_URL through PgBouncer`);
  console.log(`PgBouncer (transaction mode): ${cluster.pooledUrl.replace(/:[^:@/]*@/, ':***@')}`);
  if (!process.env['JWT_SECRET']) console.log('JWT_SECRET was not set: a random one is used, so tokens end with this run.');
  console.log('Ctrl-C stops it all.');
  const stop = () => {
    console.log('stopping: nginx, the instances (gracefully), PgBouncer');
    cluster.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function createDatabaseIfMissing(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.href });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (rowCount === 0) await client.query(`create database "${name.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

main().catch((error: unknown) => {
  console.error('npm run cluster:', error instanceof Error ? error.message : error);
  process.exit(1);
});
