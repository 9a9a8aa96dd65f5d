/**
 * `pnpm dev [--demo]`: embedded PostgreSQL (unless DATABASE_URL is set), migrations, then Next.js
 * (port PORT, 3000; on 127.0.0.1 unless HOST says otherwise) and one worker, with prefixed logs.
 * On its embedded database it seeds the demo: a customer with a login, a platform key and a
 * subscription to the development receiver (/api/dev/receiver, listed at /dashboard/inbox), and
 * allows private targets. On DATABASE_URL, which may be shared, it seeds nothing unless `--demo` and
 * refuses private targets unless ALLOW_PRIVATE_TARGETS=true (scripts/lib/dev-banner.ts). Ctrl-C stops everything.
 */
import { resolveDatabase } from './lib/database';
import { prepareDevCache, devEnvKey } from './lib/dev-cache';
import { bin, startChild, stopAll } from './lib/processes';
import { loadDevSecrets } from './lib/secrets';
import { describeDatabase, devBanner, devBaseUrl, devHost, devPlan, type DevDemo } from './lib/dev-banner';
import { platformKeyFor, seedDemo } from './lib/seed';

const port = Number(process.env.PORT ?? 3000);
const host = devHost(process.env.HOST);
const plan = devPlan({
  databaseUrl: process.env.DATABASE_URL,
  args: process.argv.slice(2),
  allowPrivateTargets: process.env.ALLOW_PRIVATE_TARGETS,
});
const secrets = loadDevSecrets();
console.log(
  plan.embedded ? 'Starting embedded PostgreSQL on 127.0.0.1:54329 (data in .data/pg)…' : 'Using DATABASE_URL',
);
const database = await resolveDatabase({ dir: '.data/pg', port: 54329, database: 'hookrelay' });

const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: 'development',
  DATABASE_URL: database.url,
  HOOKRELAY_SECRET_KEY: process.env.HOOKRELAY_SECRET_KEY ?? secrets.HOOKRELAY_SECRET_KEY,
  AUTH_SECRET: process.env.AUTH_SECRET ?? secrets.AUTH_SECRET,
  ALLOW_PRIVATE_TARGETS: String(plan.allowPrivateTargets),
  DEV_RECEIVER: process.env.DEV_RECEIVER ?? 'true',
  PORT: String(port),
};
Object.assign(process.env, env);

const { ENV_NAMES } = await import('../server/env');
if (prepareDevCache('.next/dev', '.next/dev-env.sha256', devEnvKey(env, ENV_NAMES)) === 'cleared') {
  console.log('The environment changed since the last `pnpm dev`: starting with an empty compile cache (.next/dev).');
}

const { migrateDatabase } = await import('../server/migrate');
const { createRuntime } = await import('../server/runtime');
await migrateDatabase(database.url);
let demo: DevDemo | null = null;
if (plan.seedDemo) {
  const runtime = await createRuntime('web');
  const seeded = await seedDemo(runtime.ctx, {
    receiverUrl: /^(true|1)$/.test(env.DEV_RECEIVER ?? '') ? `${devBaseUrl(host, port)}/api/dev/receiver` : undefined,
  });
  const platformKey = await platformKeyFor(runtime.ctx, secrets.platformKey);
  if (platformKey !== secrets.platformKey) {
    secrets.platformKey = platformKey;
    secrets.save();
  }
  await runtime.stop();
  demo = { ...seeded, platformKey };
}

startChild('web', bin('next'), ['dev', '-p', String(port), '-H', host], env, 36);
startChild('worker', process.execPath, ['--import', 'tsx', 'worker/index.ts'], env, 35);

console.log(devBanner({ host, port, plan, database: describeDatabase(database.url), demo }));

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping web and worker…');
  await stopAll();
  await database.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
