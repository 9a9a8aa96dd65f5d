/**
 * `pnpm dev`: embedded PostgreSQL (unless DATABASE_URL is set), migrations, a demo customer and
 * login, then Next.js (port PORT, 3000; on 127.0.0.1 unless HOST says otherwise) and one worker,
 * with prefixed logs. Ctrl-C stops everything.
 */
import { resolveDatabase } from './lib/database';
import { bin, startChild, stopAll } from './lib/processes';
import { loadDevSecrets } from './lib/secrets';
import { devBanner, devHost } from './lib/dev-banner';
import { newPlatformKey, seedDemo } from './lib/seed';

const port = Number(process.env.PORT ?? 3000);
const host = devHost(process.env.HOST);
const secrets = loadDevSecrets();
console.log(process.env.DATABASE_URL ? 'Using DATABASE_URL' : 'Starting embedded PostgreSQL on 127.0.0.1:54329 (data in .data/pg)…');
const database = await resolveDatabase({ dir: '.data/pg', port: 54329, database: 'hookrelay' });

const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: 'development',
  DATABASE_URL: database.url,
  HOOKRELAY_SECRET_KEY: process.env.HOOKRELAY_SECRET_KEY ?? secrets.HOOKRELAY_SECRET_KEY,
  AUTH_SECRET: process.env.AUTH_SECRET ?? secrets.AUTH_SECRET,
  ALLOW_PRIVATE_TARGETS: process.env.ALLOW_PRIVATE_TARGETS ?? 'true',
  PORT: String(port),
};
Object.assign(process.env, env);

const { migrateDatabase } = await import('../server/migrate');
const { createRuntime } = await import('../server/runtime');
await migrateDatabase(database.url);
const runtime = await createRuntime('web');
const { customerId } = await seedDemo(runtime.ctx);
if (!secrets.platformKey) {
  secrets.platformKey = await newPlatformKey(runtime.ctx);
  secrets.save();
}
await runtime.stop();

startChild('web', bin('next'), ['dev', '-p', String(port), '-H', host], env, 36);
startChild('worker', process.execPath, ['--import', 'tsx', 'worker/index.ts'], env, 35);

console.log(
  devBanner({
    host,
    port,
    customerId,
    platformKey: secrets.platformKey,
    allowPrivateTargets: env.ALLOW_PRIVATE_TARGETS === 'true' || env.ALLOW_PRIVATE_TARGETS === '1',
  }),
);

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
